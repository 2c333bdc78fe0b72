# family: 23
# expect: timeout
# RLock._acquire_restore, which Condition uses, waits in C with no timeout: the timeout still ends the call.
import threading
r = threading.RLock()
r.acquire()
r._acquire_restore((1, 1))
