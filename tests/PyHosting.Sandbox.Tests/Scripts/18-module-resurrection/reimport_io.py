# family: 18
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# del sys.modules['_io']; import _io.
import sys
del sys.modules['_io']
import _io
_io.open('/data/secret.txt')
