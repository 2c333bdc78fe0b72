# family: 23
# expect: timeout
# SimpleQueue.get with keyword arguments on an empty queue waits in C: the timeout still ends the call.
import queue
queue.SimpleQueue().get(block=True, timeout=None)
