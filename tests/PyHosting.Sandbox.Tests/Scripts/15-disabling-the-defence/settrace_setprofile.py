# family: 15
# expect: PermissionError
# sys.settrace and sys.setprofile (and the profiler that uses them).
import sys
for attempt in (lambda: sys.setprofile(lambda *a: None), lambda: __import__('_lsprof').Profiler().enable()):
    try:
        attempt()
        raise AssertionError('profiling was enabled')
    except PermissionError:
        pass
sys.settrace(lambda *a: None)
