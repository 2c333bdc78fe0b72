# family: 20
# expect: io.UnsupportedOperation
# Signals to the host process, its group and init. The runtime signalling its own pid is emulated for the call
# (as signal.raise_signal), except SIGKILL and SIGSTOP, which are refused.
import os
for attempt in (lambda: os.killpg(0, 9), lambda: os.kill(1, 15), lambda: os.kill(os.getppid(), 9)):
    try:
        attempt()
        raise AssertionError('a signal was sent')
    except OSError:
        pass
os.kill(os.getpid(), 9)
