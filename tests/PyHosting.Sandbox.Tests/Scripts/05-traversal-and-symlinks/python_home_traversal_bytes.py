# family: 5
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# The same traversal with a bytes path.
open(b'/usr/lib/python3.11/../../../etc/hostname', 'rb').read()
