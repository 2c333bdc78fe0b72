# family: 24
# expect: io.UnsupportedOperation
# select.epoll is the runtime's own class (over virtual descriptors), but CPython's type stays in object.__subclasses__().
import select
epoll = next(t for t in object.__subclasses__() if t.__module__ == 'select' and t.__qualname__ == 'epoll')
assert select.epoll is not epoll and '__new__' not in vars(select.epoll)
epoll().poll(60)
