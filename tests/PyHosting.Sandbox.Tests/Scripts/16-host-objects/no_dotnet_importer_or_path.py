# family: 16
# expect: ModuleNotFoundError
# No .NET importer, path hook or path entry is left.
import builtins, sys
assert not [f for f in sys.meta_path if 'DotNet' in type(f).__name__ or 'clr' in str(getattr(type(f), '__module__', '')).lower()], sys.meta_path
assert not [p for p in sys.path if 'pythonnet' in p.lower() or 'python.runtime' in p.lower()], sys.path
assert not [m for m in sys.modules if m.lower() == 'clr' or m.lower().startswith(('clr.', 'system', 'python.runtime'))]
assert not hasattr(builtins, 'clr') and not hasattr(builtins, '__clr__')
import clr
