# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# io.open, the same function reached through the io module.
import io
io.open('/data/secret.txt', 'rb').read()
