# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# io.FileIO opens raw files itself.
import _io
_io.FileIO('/data/secret.txt').read()
