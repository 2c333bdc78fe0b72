# family: 4
# expect: OSError
# errno: 22
# select.epoll over descriptors the runtime did not open: numbers that are free in the runtime's table (the host's
# own descriptors behind them included) are EBADF; fromfd of anything that is not an epoll of the runtime, and the
# bridge functions called directly with a descriptor that is not an epoll, are EINVAL.
import os, select
ep = select.epoll()
for fd in (1000, 1023, 1024, 5000, 2 ** 31 - 1):
    try:
        ep.register(fd)
        raise AssertionError('registered a descriptor the runtime does not have: %d' % fd)
    except OSError as e:
        assert e.errno == 9, e
for fd in (0, 1, 2, 1000, 1024):
    try:
        select.epoll.fromfd(fd)
        raise AssertionError('fromfd took %d' % fd)
    except OSError as e:
        assert e.errno in (9, 22), e
r, w = os.pipe()
for call in (lambda: ep._wait(r, 0, 1), lambda: ep._control(w, 1, r, 1), lambda: ep._close(r)):
    try:
        call()
    except OSError as e:
        assert e.errno == 22, e
try:
    os.write(w, b'still a pipe')                  # _close left the pipe alone
    assert os.read(r, 100) == b'still a pipe'
    ep._wait(r, 0, 1)
finally:
    ep.close(); os.close(r); os.close(w)
