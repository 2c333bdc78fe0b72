# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# The secret's real host path, which names nothing in the runtime's file system.
open('__HOST_SECRET__').read()
