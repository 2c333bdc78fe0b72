# family: 24
# expect: io.UnsupportedOperation
# One real descriptor per epoll object: enough of them exhaust the host's descriptor limit.
import select
epoll = next(t for t in object.__subclasses__() if t.__module__ == 'select' and t.__qualname__ == 'epoll')
kept = [epoll() for _ in range(1 << 20)]
