# family: 15
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# The host builds the spec of a C extension it loads; a replaced sys.implementation must not choose its type.
import importlib, sys
calls = []
class Spy:
    def __init__(self, **kwargs):
        calls.append(kwargs)
saved = sys.implementation
sys.implementation = object.__new__(Spy)
try:
    sys.modules.pop('_json', None)
    importlib.import_module('_json')
finally:
    sys.implementation = saved
assert not calls, 'the host called a type Python chose: %r' % (calls,)
open('/data/secret.txt')
