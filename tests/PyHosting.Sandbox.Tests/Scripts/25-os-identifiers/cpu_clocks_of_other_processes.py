# family: 25
# expect: OSError
# errno: 22
# Negative clock ids name the CPU clock of any process or thread: (~pid << 3) | 2 is the CPU time of pid.
import os, time
for pid in (1, os.getppid(), os.getpid() - 1):
    clock = (~pid << 3) | 2
    for read in (time.clock_gettime, time.clock_gettime_ns, time.clock_getres):
        try:
            read(clock)
            raise AssertionError('read clock %d of pid %d' % (clock, pid))
        except OSError as e:
            assert e.errno == 22, e
time.clock_gettime((~1 << 3) | 6)
