# family: 4
# expect: ValueError
# poll over numbers the runtime never opened reports POLLNVAL without touching them; select refuses them (EBADF)
# and refuses lists longer than the descriptor table.
import select
p = select.poll()
for fd in (0, 1, 2, 3, 100, 1023, 5000):
    p.register(fd, select.POLLIN | select.POLLOUT)
got = dict(p.poll(0))
assert all(got[fd] == select.POLLNVAL for fd in (3, 100, 1023, 5000)), got
for fd in (3, 100, 1023, 5000, 2**31 - 1):
    try:
        select.select([fd], [], [], 0)
        raise AssertionError('select took %d' % fd)
    except OSError as e:
        assert e.errno == 9, e
select.select(list(range(3)) * 2000, [], [], 0)
