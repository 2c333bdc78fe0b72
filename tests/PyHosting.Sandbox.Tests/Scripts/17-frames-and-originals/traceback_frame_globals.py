# family: 17
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Walk a refused call's traceback into the managed layer's Python half and use what its globals
# hold.
try:
    open('/data/secret.txt')
except PermissionError as e:
    tb, spaces = e.__traceback__, []
    while tb:
        spaces.append(tb.tb_frame.f_globals)
        spaces.append(tb.tb_frame.f_locals)
        tb = tb.tb_next
posix_like = [v for g in spaces for v in g.values() if getattr(v, '__name__', '') == 'posix']
assert posix_like, 'no posix module in the frames'
for module in posix_like:
    for name in ('system', 'fork', 'execv', 'open', 'read'):
        f = getattr(module, name, None)
        assert f is None or isinstance(f.__self__, int), (name, f)
posix_like[0].open('/data/secret.txt', 0)
