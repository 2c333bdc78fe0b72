# family: 22
# expect: PermissionError
# key: PythonRuntime:Permissions:HostSockets
# A fresh _socket from the built-in table is the managed one: its socket() makes nothing.
import _imp, importlib.machinery
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('_socket', None))
a, b = fresh.socketpair()
assert type(a) is fresh.socket and type(b) is fresh.socket
a.close(); b.close()
fresh.socket(2, 1, 0)
