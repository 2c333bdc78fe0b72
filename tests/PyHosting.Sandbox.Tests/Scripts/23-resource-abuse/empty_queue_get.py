# family: 23
# expect: timeout
# SimpleQueue.get on an empty queue waits in C: the timeout still ends the call.
import queue
queue.SimpleQueue().get()
