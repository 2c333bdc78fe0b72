# family: 15
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A replaced builtins.__import__ must never run inside the host's own work (reading code for an import).
import builtins, importlib, sys
seen = []
original = builtins.__import__
def recording(name, *args, **kwargs):
    seen.append(name)
    return original(name, *args, **kwargs)
builtins.__import__ = recording
try:
    sys.modules.pop('colorsys', None)
    importlib.import_module('colorsys')
finally:
    builtins.__import__ = original
assert not seen, 'the host imported through Python: %r' % (seen,)
open('/data/secret.txt')
