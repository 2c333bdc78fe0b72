# family: 20
# expect: io.UnsupportedOperation
# signal.signal records a handler without installing it (without CreateProcess, not even the guard for
# SIGUSR1/SIGUSR2 that keeps the host alive when a child signals it); raising, alarms, timers and masks are
# unsupported; siginterrupt is accepted and changes nothing in the host. The host's dispositions are
# compared before and after.
import signal, threading
previous = signal.signal(signal.SIGTERM, lambda *a: None)
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGUSR1, lambda *a: None)
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
for attempt in (lambda: signal.alarm(1), lambda: signal.setitimer(signal.ITIMER_REAL, 1),
                lambda: signal.pthread_kill(threading.get_ident(), 9), lambda: signal.pthread_sigmask(signal.SIG_BLOCK, [2]),
                lambda: signal.set_wakeup_fd(5)):
    try:
        attempt()
        raise AssertionError('a signal call went through')
    except OSError:
        pass
assert signal.siginterrupt(2, True) is None
signal.raise_signal(signal.SIGTERM)
