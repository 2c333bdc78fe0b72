# family: 22
# expect: PermissionError
# key: PythonRuntime:Permissions:HostSockets
# socket.socket: every family and type.
import socket
for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX, socket.AF_NETLINK, socket.AF_PACKET):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_RAW):
        try:
            socket.socket(family, kind)
            raise AssertionError('a socket was made')
        except PermissionError:
            pass
socket.socket()
