# family: 20
# expect: io.UnsupportedOperation
# umask and chdir are emulated; identity, scheduling and root changes are unsupported.
import os
os.umask(0o777)
os.chdir('/usr/lib/python3.11')
assert os.getcwd() == '/usr/lib/python3.11'
for attempt in (lambda: os.setuid(0), lambda: os.setgid(0), lambda: os.setsid(), lambda: os.setpgid(0, 0),
                lambda: os.sched_setaffinity(0, {0}), lambda: os.setpriority(os.PRIO_PROCESS, 0, 10), lambda: os.chroot('/tmp')):
    try:
        attempt()
        raise AssertionError('a setter went through')
    except OSError:
        pass
os.umask(0o022)
os.nice(5)
