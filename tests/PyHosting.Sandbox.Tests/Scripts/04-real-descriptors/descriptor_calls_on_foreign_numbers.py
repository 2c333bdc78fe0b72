# family: 4
# expect: OSError
# errno: 9
# The descriptor-level calls and the emulated fcntl on numbers the runtime did not open (the host's own descriptors
# among them): every one is EBADF, and none reaches a host descriptor.
import fcntl, os, struct
r, w = os.pipe()
e = os.eventfd(0)
m = os.memfd_create('mine')
mine = {r, w, e, m}
calls = (
    lambda fd: os.readv(fd, [bytearray(4)]),
    lambda fd: os.writev(fd, [b'x']),
    lambda fd: os.preadv(fd, [bytearray(4)], 0),
    lambda fd: os.pwritev(fd, [b'x'], 0),
    lambda fd: os.sendfile(w, fd, 0, 1),
    lambda fd: os.sendfile(fd, m, 0, 1),
    lambda fd: os.splice(fd, w, 1),
    lambda fd: os.splice(r, fd, 1, flags=os.SPLICE_F_NONBLOCK),
    lambda fd: os.copy_file_range(fd, m, 1),
    lambda fd: os.copy_file_range(m, fd, 1),
    lambda fd: os.eventfd_read(fd),
    lambda fd: os.eventfd_write(fd, 1),
    lambda fd: os.posix_fallocate(fd, 0, 1),
    lambda fd: os.posix_fadvise(fd, 0, 0, 0),
    lambda fd: os.lockf(fd, os.F_TLOCK, 0),
    lambda fd: fcntl.fcntl(fd, fcntl.F_GETFL),
    lambda fd: fcntl.fcntl(fd, fcntl.F_SETFL, os.O_NONBLOCK),
    lambda fd: fcntl.fcntl(fd, fcntl.F_DUPFD, 0),
    lambda fd: fcntl.fcntl(fd, fcntl.F_SETLK, struct.pack('hhllhh', fcntl.F_WRLCK, 0, 0, 0, 0, 0)),
    lambda fd: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB),
    lambda fd: fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB),
    lambda fd: fcntl.ioctl(fd, 0x541B, b'\0' * 4),
)
for fd in list(range(3, 256)) + [1000, 1023, 1024, 65535, 2**31 - 1]:
    if fd in mine:
        continue
    for call in calls:
        try:
            call(fd)
            raise AssertionError('descriptor %d worked' % fd)
        except OSError as x:
            assert x.errno == 9, (fd, x)
for fd in sorted(mine):
    os.close(fd)
fcntl.flock(r, fcntl.LOCK_SH)
