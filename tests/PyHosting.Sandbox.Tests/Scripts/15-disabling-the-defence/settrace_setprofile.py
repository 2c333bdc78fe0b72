# family: 15
# expect: PermissionError
# sys.settrace and sys.setprofile (and the profiler that uses them). Setting None is accepted and changes nothing,
# also through a fresh copy of sys's saved dictionary; a function is refused.
import sys, _imp, importlib.machinery
sys.settrace(None)
sys.setprofile(None)
assert sys.gettrace() is None and sys.getprofile() is None
_imp.create_builtin(importlib.machinery.ModuleSpec('sys', None))
sys.settrace(None)
try:
    sys.settrace(print)
    raise AssertionError('a built-in trace function was set')
except PermissionError:
    pass
for attempt in (lambda: sys.setprofile(lambda *a: None), lambda: __import__('_lsprof').Profiler().enable()):
    try:
        attempt()
        raise AssertionError('profiling was enabled')
    except PermissionError:
        pass
sys.settrace(lambda *a: None)
