# family: 23
# expect: timeout
# A blocking acquire with keyword arguments waits in C: the timeout still ends the call.
import threading
lock = threading.Lock()
lock.acquire()
lock.acquire(blocking=True, timeout=-1)
