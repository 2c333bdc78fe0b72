# family: 22
# expect: io.UnsupportedOperation
# CPython's own socket type, found through object.__subclasses__(), cannot be made or called, nor subclassed into
# something that can.
import socket, _socket
real = [t for t in object.__subclasses__() if t.__module__ == '_socket' and t.__qualname__ == 'socket' and '__new__' in vars(t)]
assert real and _socket.socket not in real and '__new__' not in vars(_socket.socket), real
for t in real:
    for make in (lambda: t(), lambda: t(fileno=3), lambda: t.__new__(t), lambda: t(socket.AF_INET, socket.SOCK_STREAM, 0, 0)):
        try:
            make()
            raise AssertionError('a CPython socket was made')
        except OSError as e:
            assert type(e).__name__ == 'UnsupportedOperation', e
    try:
        type('Sub', (t,), {})()
        raise AssertionError('a subclass instance was made')
    except OSError:
        pass
    for name in ('fromfd', 'dup', 'detach', 'close', 'send'):
        if name in vars(t):
            try:
                getattr(t, name)(0)
            except (OSError, TypeError):
                pass
real[0](fileno=1)
