# family: 22
# expect: ModuleNotFoundError
# key: PythonRuntime:Permissions:HostSockets
# _socket from the built-in table.
import _imp, importlib.machinery
assert _imp.create_builtin(importlib.machinery.ModuleSpec('_socket', None)) is None
import _socket
