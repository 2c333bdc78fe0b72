# family: 15
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# The managed shim's namespace is reachable through __globals__: replacing its FileIO there changes nothing the host
# calls (open() and io.FileIO are the host's own, kept outside that namespace).
import io, os
with os.scandir(os.path.dirname(os.__file__)) as entries:
    shim = type(next(entries)).inode.__globals__
assert 'make_scandir' in shim and 'FileIO' in shim, sorted(shim)
saved = shim['FileIO']
shim['FileIO'] = lambda *args, **kwargs: 'hijacked'
try:
    assert type(open(os.devnull, 'rb', buffering=0)) is io.FileIO
    result = open('/data/secret.txt')
    raise AssertionError('the host called the replaced FileIO: %r' % (result,))
finally:
    shim['FileIO'] = saved
