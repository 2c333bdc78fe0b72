# family: 12
# expect: PermissionError
# key: PythonRuntime:Permissions:CreateThread
# threading.Timer, then faulthandler's watchdog (the managed faulthandler's is a threading.Timer too).
import threading
try:
    threading.Timer(0.01, print).start()
    raise AssertionError('Timer started')
except PermissionError:
    pass
import faulthandler
faulthandler.dump_traceback_later(1)
