# family: 25
# expect: ProcessLookupError
# errno: 3
# The process group and session of pid 1 (and of the host's real parent) are not the runtime's to read.
import os
for f in (os.getpgid, os.getsid):
    try:
        f(os.getppid())
        raise AssertionError('%s answered for the parent' % f.__name__)
    except ProcessLookupError:
        pass
os.getsid(1)
