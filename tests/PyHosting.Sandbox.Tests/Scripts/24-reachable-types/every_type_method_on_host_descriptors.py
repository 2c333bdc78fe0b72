# family: 24
# expect: io.UnsupportedOperation
# Every class method of every C type outside the language's core, called with host descriptor numbers: none reaches one.
import sys
for name in sorted(sys.builtin_module_names):
    try:
        __import__(name)
    except ImportError:
        pass
seen, todo = set(), [object]
while todo:
    for s in type.__subclasses__(todo.pop()):
        if s not in seen:
            seen.add(s)
            todo.append(s)
for t in sorted(seen, key=lambda t: (str(t.__module__), t.__qualname__)):
    if t.__module__ in ('builtins', '__main__') or issubclass(t, BaseException):
        continue
    for k, v in list(vars(t).items()):
        if type(v).__name__ == 'classmethod_descriptor':
            for fd in (0, 1, 2, 3):
                try:
                    r = getattr(t, k)(fd)
                except OSError as e:
                    if type(e).__name__ == 'UnsupportedOperation':
                        continue
                except Exception:
                    continue
                if hasattr(r, 'close') and 'fileno' in dir(r):
                    raise AssertionError('%s.%s.%s(%d) made %r' % (t.__module__, t.__qualname__, k, fd, r))
next(t for t in seen if t.__module__ == 'select' and t.__qualname__ == 'epoll').fromfd(1)
