# family: 25
# expect: ProcessLookupError
# errno: 3
# The runtime is its own group and session leader (its parent is emulated as 1): the host's real group does not show.
import os
me = os.getpid()
assert os.getppid() == 1, os.getppid()
assert os.getpgrp() == os.getpgid(0) == os.getpgid(me) == os.getsid(0) == me, (os.getpgrp(), os.getsid(0), me)
os.getpgid(1)
