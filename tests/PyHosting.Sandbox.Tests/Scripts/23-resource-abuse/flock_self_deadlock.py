# family: 23
# expect: timeout
# Two opens of one file and an exclusive flock from each, in the only Python thread: the second waits (as on Linux),
# without the GIL, and the call's timeout still ends it. The files close with the frame, and their locks with them.
import fcntl, os
def wait():
    a = open(os.__file__, 'rb')
    b = open(os.__file__, 'rb')
    fcntl.flock(a, fcntl.LOCK_EX)
    fcntl.flock(b, fcntl.LOCK_EX)
wait()
