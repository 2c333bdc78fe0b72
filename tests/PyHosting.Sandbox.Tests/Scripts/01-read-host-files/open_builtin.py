# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# The builtin open on a file of a physical mount.
open('/data/secret.txt').read()
