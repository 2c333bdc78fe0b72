# family: 20
# expect: io.UnsupportedOperation
# signal.signal records a handler without installing it (without CreateProcess, not even the guard for
# SIGUSR1/SIGUSR2 that keeps the host alive when a child signals it). Alarms, timers, raise_signal and masks
# are emulated inside the call (no host timer, signal or mask is involved); signalling another thread, CPU-time
# timers, SIGKILL and SIGSTOP are unsupported; siginterrupt is accepted and changes nothing in the host. The
# host's dispositions are compared before and after.
import signal, threading
previous = signal.signal(signal.SIGTERM, lambda *a: None)
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGUSR1, lambda *a: None)
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
seen = []
signal.signal(signal.SIGALRM, lambda *a: seen.append(a[0]))
assert signal.alarm(1000) == 0 and signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)[0] >= 999
signal.raise_signal(signal.SIGTERM)
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGKILL])
signal.raise_signal(signal.SIGTERM)
assert signal.SIGTERM in signal.sigpending()
for attempt in (lambda: signal.pthread_kill(threading.get_ident(), signal.SIGKILL), lambda: signal.pthread_kill(threading.get_ident() + 1, 10),
                lambda: signal.setitimer(signal.ITIMER_PROF, 1), lambda: signal.set_wakeup_fd(5)):
    try:
        attempt()
        raise AssertionError('a signal call went through')
    except OSError:
        pass
assert signal.siginterrupt(2, True) is None
signal.raise_signal(signal.SIGKILL)
