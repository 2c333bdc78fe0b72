# family: 23
# expect: OSError
# errno: 40
# epoll abuse: a huge maxevents allocates nothing, 10**5 registrations cycle in a bounded interest list (the table
# holds 1024 descriptors), numbers past the table are EBADF, an epoll watching itself is EINVAL, and a loop of two
# epolls is ELOOP. Everything is closed before the last refusal (the runtime is shared with the next script).
import os, select
ep, other = select.epoll(), select.epoll()
r, w = os.pipe()
try:
    os.write(w, b'x')
    for _ in range(50000):
        ep.register(r, select.EPOLLIN)
        ep.unregister(r)
    for fd in range(2000):
        if fd == other.fileno():
            continue
        try:
            ep.register(fd, select.EPOLLIN)
        except OSError as e:
            assert e.errno in (1, 9, 17, 22, 40), e
    assert (r, select.EPOLLIN) in ep.poll(0, 2 ** 31 - 1)
    try:
        ep.poll(0, 2 ** 63)
        raise AssertionError('maxevents 2**63 accepted')
    except (OverflowError, ValueError):
        pass
    try:
        ep.register(ep)
        raise AssertionError('an epoll watches itself')
    except OSError as e:
        assert e.errno == 22, e
    other.register(ep, select.EPOLLIN)
    ep.register(other, select.EPOLLIN)
finally:
    ep.close(); other.close(); os.close(r); os.close(w)
