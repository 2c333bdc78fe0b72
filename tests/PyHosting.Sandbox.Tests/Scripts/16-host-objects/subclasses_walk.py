# family: 16
# expect: ModuleNotFoundError
# Every type reachable from object.__subclasses__(): none belongs to the embedding.
seen, todo = set(), [object]
while todo:
    t = todo.pop()
    for s in (type.__subclasses__(t) if issubclass(t, type) else t.__subclasses__()):
        if s not in seen:
            seen.add(s)
            todo.append(s)
embedding = sorted({'%s.%s %r' % (t.__module__, t.__qualname__, [b.__module__ + '.' + b.__name__ for b in t.__mro__]) for t in seen if str(getattr(t, '__module__', '')).lower().startswith(('clr', 'system', 'python.runtime', 'microsoft'))})
assert not embedding, embedding
import clr
