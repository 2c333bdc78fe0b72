# family: 8
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# /dev/mem.
open('/dev/mem', 'rb').read(1)
