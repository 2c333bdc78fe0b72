# family: 24
# expect: io.UnsupportedOperation
# epoll.fromfd(n) wraps any descriptor and close() closes it: every host descriptor in turn.
import select
epoll = next(t for t in object.__subclasses__() if t.__module__ == 'select' and t.__qualname__ == 'epoll')
for fd in range(3, 1024):
    try:
        epoll.fromfd(fd).close()
    except OSError as e:
        if type(e).__name__ == 'UnsupportedOperation':
            raise
epoll.fromfd(3)
