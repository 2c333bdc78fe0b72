# family: 24
# expect: io.UnsupportedOperation
# select.epoll is removed from the module, but its type stays in object.__subclasses__().
import select
assert not hasattr(select, 'epoll')
epoll = next(t for t in object.__subclasses__() if t.__module__ == 'select' and t.__qualname__ == 'epoll')
epoll().poll(60)
