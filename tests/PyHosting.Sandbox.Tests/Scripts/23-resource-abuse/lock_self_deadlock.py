# family: 23
# expect: timeout
# A lock acquired twice by the only Python thread waits in C: the timeout still ends the call.
import threading
lock = threading.Lock()
lock.acquire()
lock.acquire()
