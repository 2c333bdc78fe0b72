# family: 7
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A bytes subclass with lying methods.
class Lying(bytes):
    def __eq__(self, other): return True
    def __hash__(self): return 0
    def decode(self, *args, **kwargs): return '/usr/lib/python3.11/os.py'
    def startswith(self, *args): return True
open(Lying(b'/data/secret.txt'), 'rb').read()
