# family: 23
# expect: OSError
# errno: 40
# epoll abuse: a huge maxevents allocates nothing, 10**5 registrations cycle in a bounded interest list (the table
# holds 1024 descriptors), an epoll watching itself is EINVAL, and a loop of two epolls is ELOOP.
import os, select
ep = select.epoll()
r, w = os.pipe()
os.write(w, b'x')
for _ in range(50000):
    ep.register(r, select.EPOLLIN)
    ep.unregister(r)
for fd in range(100000):
    try:
        ep.register(fd, select.EPOLLIN)
    except OSError as e:
        assert e.errno in (1, 9, 17, 22), e
assert len(ep.poll(0, 2 ** 31 - 1)) >= 1
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
other = select.epoll()
other.register(ep, select.EPOLLIN)
ep.register(other, select.EPOLLIN)
