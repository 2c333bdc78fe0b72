# family: 14
# expect: PermissionError
# co_flags may gain or lose CO_ITERABLE_COROUTINE only: dropping CO_OPTIMIZED makes the frame read locals from a dict.
c = (lambda x: x).__code__
c.replace(co_flags=c.co_flags & ~0x1)
