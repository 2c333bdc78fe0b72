# family: 17
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Walk a refused call's traceback (open() and FileIO are host code: no Python frame of the managed
# layer in it any more) and the managed layer's Python half, and use what their globals hold.
import os
try:
    open('/data/secret.txt')
except PermissionError as e:
    tb, spaces = e.__traceback__, []
    while tb:
        spaces.append(tb.tb_frame.f_globals)
        spaces.append(tb.tb_frame.f_locals)
        tb = tb.tb_next
with os.scandir(os.path.dirname(os.__file__)) as entries:
    spaces.append(type(next(entries)).inode.__globals__)
posix_like = [v for g in spaces for v in g.values() if getattr(v, '__name__', '') == 'posix']
assert posix_like, 'no posix module in the frames'
for module in posix_like:
    for name in ('system', 'fork', 'execv', 'open', 'read'):
        f = getattr(module, name, None)
        assert f is None or isinstance(f.__self__, int), (name, f)
posix_like[0].open('/data/secret.txt', 0)
