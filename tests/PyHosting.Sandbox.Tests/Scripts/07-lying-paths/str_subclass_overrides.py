# family: 7
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A str subclass whose comparisons and prefix tests always agree.
class Lying(str):
    def __eq__(self, other): return True
    def __hash__(self): return 0
    def startswith(self, *args): return True
    def endswith(self, *args): return True
    def __fspath__(self): return '/usr/lib/python3.11/os.py'
open(Lying('/data/secret.txt')).read()
