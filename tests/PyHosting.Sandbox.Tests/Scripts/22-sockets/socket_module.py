# family: 22
# expect: ModuleNotFoundError
# key: PythonRuntime:Permissions:HostSockets
# socket.socket and socketpair.
import socket
socket.socketpair()
