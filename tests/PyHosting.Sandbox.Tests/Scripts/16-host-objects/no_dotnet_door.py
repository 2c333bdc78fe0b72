# family: 16
# expect: ModuleNotFoundError
# No .NET door of any kind: no finder can locate clr, pythonnet or Python.Runtime; every importer on
# sys.meta_path and sys.path_hooks is CPython's own or the runtime's explanation of left-out modules;
# no loaded module comes from .NET or names it.
import builtins, importlib.util, sys
for name in ('clr', 'pythonnet', 'Python', 'Python.Runtime', 'System', 'clrmodule'):
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:
        spec = None
    assert spec is None, (name, spec)
own = ('_frozen_importlib', '_frozen_importlib_external', 'importlib._bootstrap', 'importlib._bootstrap_external', 'zipimport')
finders = [(type(f).__module__, type(f).__qualname__) for f in sys.meta_path if getattr(f, '__module__', None) not in own]
assert all(m in own or q == '_UnavailableFinder' for m, q in finders), finders
hooks = [getattr(h, '__module__', None) for h in sys.path_hooks]
assert all(m in own for m in hooks), hooks
loaded = [n for n, m in list(sys.modules.items())
          if any(w in n.lower() for w in ('clr', 'pythonnet', 'python.runtime', 'dotnet'))
          or any(w in str(getattr(m, '__file__', '') or '').lower() for w in ('pythonnet', 'python.runtime', '.dll'))]
assert not loaded, loaded
assert not [n for n in dir(builtins) if 'clr' in n.lower()]
import pythonnet
