# family: 15
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Attributes of C modules that the host's replacements once read at call time: _locale.Error and _queue.Empty.
import _locale, _queue, queue, time
saved_error, saved_empty = _locale.Error, _queue.Empty
_locale.Error, _queue.Empty = None, None
try:
    try:
        _locale.setlocale(_locale.LC_ALL, 'xx_XX.UTF-8')
        raise AssertionError('the C locale was changed')
    except saved_error:
        pass
    start = time.perf_counter()
    try:
        queue.SimpleQueue().get(timeout=0.3)
        raise AssertionError('an empty queue returned')
    except saved_empty:
        pass
    waited = time.perf_counter() - start
    assert waited >= 0.25, 'the wait ended after %.3f s instead of 0.3 s' % waited
finally:
    _locale.Error, _queue.Empty = saved_error, saved_empty
open('/data/secret.txt')
