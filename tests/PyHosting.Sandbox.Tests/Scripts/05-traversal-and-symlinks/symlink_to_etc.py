# family: 5
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A symbolic link in the mount that points at /etc.
open('/data/etc/passwd').read()
