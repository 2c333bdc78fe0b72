# family: 5
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# '..' out of a mount.
open('/data/../etc/passwd').read()
