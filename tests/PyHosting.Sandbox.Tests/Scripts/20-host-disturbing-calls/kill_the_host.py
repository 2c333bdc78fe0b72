# family: 20
# expect: ProcessLookupError | PermissionError
# Signals to the host process, its group and init.
import os
for attempt in (lambda: os.killpg(0, 9), lambda: os.kill(1, 15), lambda: os.kill(os.getppid(), 9)):
    try:
        attempt()
        raise AssertionError('a signal was sent')
    except OSError:
        pass
os.kill(os.getpid(), 9)
