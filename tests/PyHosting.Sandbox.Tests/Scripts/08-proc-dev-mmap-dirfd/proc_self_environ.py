# family: 8
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# /proc/self/environ holds the host environment.
open('/proc/self/environ', 'rb').read()
