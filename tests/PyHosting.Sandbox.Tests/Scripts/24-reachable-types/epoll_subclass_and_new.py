# family: 24
# expect: io.UnsupportedOperation
# __new__ called directly is the same refused constructor; epoll cannot be subclassed to get around it.
import select
epoll = next(t for t in object.__subclasses__() if t.__module__ == 'select' and t.__qualname__ == 'epoll')
try:
    type('Mine', (epoll,), {})
    raise AssertionError('epoll was subclassed')
except TypeError:
    pass
try:
    object.__new__(epoll)
    raise AssertionError('object.__new__ made an epoll object')
except TypeError:
    pass
epoll.__new__(epoll, 1)
