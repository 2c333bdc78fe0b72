# family: 22
# expect: OSError
# errno: 9
# socket(fileno=n), fromfd and the unbound __init__ on descriptor numbers the runtime never opened (the host's
# sockets, log files, its standard streams) and on the runtime's own stdio: nothing is wrapped or closed.
import os, socket, _socket
own = set()
for fd in range(1024):
    try:
        os.fstat(fd)
        own.add(fd)
    except OSError:
        pass
for fd in list(range(0, 256)) + [1023, 1024, 65535, 2**31 - 1]:
    try:
        os.fstat(fd)
        if fd > 2:
            continue  # a descriptor of the runtime's own (another script's file): not a host descriptor
    except OSError:
        pass
    for make in (lambda: socket.socket(fileno=fd), lambda: socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM),
                 lambda: _socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd)):
        try:
            s = make()
            raise AssertionError('wrapped descriptor %d: %r' % (fd, s))
        except OSError as e:
            assert e.errno in (9, 88) or isinstance(e, PermissionError), (fd, e)
# fromfd dups first (as CPython does): the runtime's stdio copies it made are closed again.
for fd in range(3, 1024):
    if fd not in own:
        try:
            os.close(fd)
        except OSError:
            pass
try:
    socket.socket(fileno=-5)
    raise AssertionError('a negative descriptor was taken')
except ValueError:
    pass
socket.socket(fileno=700)
