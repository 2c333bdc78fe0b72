# family: 15
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# The managed shim's namespace is reachable through __globals__: replacing its open there changes nothing the host calls.
import os
with os.scandir(os.path.dirname(os.__file__)) as entries:
    shim = type(next(entries)).__init__.__globals__
assert 'make_scandir' in shim, sorted(shim)
saved = shim['open']
shim['open'] = lambda *args, **kwargs: 'hijacked'
try:
    result = open('/data/secret.txt')
    raise AssertionError('the host called the replaced open: %r' % (result,))
finally:
    shim['open'] = saved
