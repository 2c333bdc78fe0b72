# family: 7
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# An __fspath__ that returns a lying str subclass.
import os
class Lying(str):
    def encode(self, *args, **kwargs): return b'/usr/lib/python3.11/os.py'
    def __str__(self): return '/usr/lib/python3.11/os.py'
class P:
    def __fspath__(self): return Lying('/data/secret.txt')
os.stat(P())
