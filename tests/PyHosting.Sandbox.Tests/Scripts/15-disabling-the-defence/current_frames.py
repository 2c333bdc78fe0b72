# family: 15
# expect: PermissionError
# sys._current_frames and sys._current_exceptions see other threads.
import sys
try:
    sys._current_exceptions()
    raise AssertionError('_current_exceptions worked')
except PermissionError:
    pass
sys._current_frames()
