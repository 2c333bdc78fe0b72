# family: 12
# expect: PermissionError
# key: PythonRuntime:Permissions:CreateThread
# _thread.start_new_thread and its alias.
import _thread
try:
    _thread.start_new(print, ())
    raise AssertionError('start_new worked')
except PermissionError:
    pass
_thread.start_new_thread(print, ())
