# family: 12
# expect: ModuleNotFoundError
# threading.Timer, then faulthandler (a watchdog thread).
import threading
try:
    threading.Timer(0.01, print).start()
    raise AssertionError('Timer started')
except PermissionError:
    pass
import faulthandler
faulthandler.dump_traceback_later(1)
