# family: 22
# expect: PermissionError
# key: PythonRuntime:Permissions:HostSockets
# Every name-service and interface function is refused, the fresh module's too.
import socket, _socket
calls = [
    lambda: socket.getaddrinfo('localhost', 80), lambda: socket.gethostbyname('localhost'),
    lambda: socket.gethostbyname_ex('localhost'), lambda: socket.gethostbyaddr('127.0.0.1'),
    lambda: socket.getnameinfo(('127.0.0.1', 80), 0), lambda: socket.getservbyname('http'),
    lambda: socket.getservbyport(80), lambda: socket.getprotobyname('tcp'), lambda: socket.if_nameindex(),
    lambda: socket.if_nametoindex('lo'), lambda: socket.if_indextoname(1), lambda: socket.getfqdn('x'),
]
for call in calls:
    try:
        r = call()
        if call is not calls[-1]:
            raise AssertionError('resolved: %r' % (r,))
    except PermissionError:
        pass
_socket.sethostname('pwned')
