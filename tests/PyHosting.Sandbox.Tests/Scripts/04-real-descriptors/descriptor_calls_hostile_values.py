# family: 4
# expect: OSError
# errno: 22
# Huge, negative and wrong-typed counts, offsets, flags and values for the descriptor-level calls and fcntl: each is a
# Python exception or a bounded result, never a wait, a huge allocation or a host effect.
import fcntl, os
r, w = os.pipe()
e = os.eventfd(0, os.EFD_NONBLOCK)
a = os.memfd_create('a')
b = os.memfd_create('b')
os.write(a, b'0123456789')

def refused(call, *types):
    try:
        call()
    except types:
        return
    raise AssertionError('accepted')

try:
    assert os.sendfile(w, a, 2**62, 2**62) == 0
    assert os.sendfile(w, a, 0, 2**62) == 10
    assert os.read(r, 100) == b'0123456789'
    assert os.copy_file_range(a, b, 2**62, 0, 0) == 10
    refused(lambda: os.copy_file_range(a, b, 2**62, 0, 2**40), OSError)  # a memory file past 2 GiB: EFBIG
    refused(lambda: os.sendfile(w, a, -1, 1), OSError)
    refused(lambda: os.sendfile(w, a, 0, -1), OSError)
    refused(lambda: os.sendfile(w, a, 2**63, 1), OverflowError, ValueError)
    refused(lambda: os.sendfile(w, a, 0, 2**64), OverflowError, ValueError)
    refused(lambda: os.sendfile(w, a, 'x', 1), TypeError)
    refused(lambda: os.copy_file_range(a, b, -1), ValueError)
    refused(lambda: os.copy_file_range(a, b, 1, -5), OSError)
    refused(lambda: os.copy_file_range(a, b, 1, 0, -5), OSError)
    refused(lambda: os.splice(r, a, -1), ValueError)
    refused(lambda: os.splice(r, a, 2**62, flags=os.SPLICE_F_NONBLOCK), BlockingIOError)
    refused(lambda: os.splice(a, w, 1, flags=-1), OSError)
    refused(lambda: os.splice(a, w, 1, 2**62 * 2), OverflowError, ValueError)
    refused(lambda: os.readv(r, [bytearray(1)] * 1025), OSError)
    refused(lambda: os.writev(w, [b'x'] * 1025), OSError)
    refused(lambda: os.preadv(a, [bytearray(1)], -2), OSError)
    refused(lambda: os.pwritev(a, [b'x'], 0, 2**31 - 1), OSError)
    refused(lambda: os.eventfd(2**32), OverflowError)
    refused(lambda: os.eventfd(-1), ValueError)
    refused(lambda: os.eventfd(0, -1), OSError)
    refused(lambda: os.eventfd_write(e, 2**64), OverflowError)
    refused(lambda: os.eventfd_write(e, -1), ValueError)
    refused(lambda: os.eventfd_write(e, 2**64 - 1), OSError)
    os.eventfd_write(e, 2**64 - 2)
    refused(lambda: os.eventfd_write(e, 1), BlockingIOError)
    assert os.eventfd_read(e) == 2**64 - 2
    refused(lambda: os.memfd_create('a\0b'), ValueError)
    refused(lambda: os.memfd_create('x' * 10**6), OSError)
    refused(lambda: os.memfd_create('x', -1), OSError)
    refused(lambda: os.posix_fallocate(a, 2**62, 2**62), OSError)
    refused(lambda: os.posix_fallocate(a, -1, 1), OSError)
    refused(lambda: os.ftruncate(a, 2**40), OSError)
    refused(lambda: fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, -1), OSError)
    refused(lambda: fcntl.fcntl(a, fcntl.F_DUPFD, 2**31 - 1), OSError)
    refused(lambda: fcntl.fcntl(a, fcntl.F_GETFL, b'x' * 2000), ValueError)
    refused(lambda: fcntl.fcntl(a, fcntl.F_SETLK, b'\xff' * 32), OSError)
    refused(lambda: fcntl.lockf(a, fcntl.LOCK_EX, 2**62, 2**62), OSError)
    refused(lambda: fcntl.lockf(a, fcntl.LOCK_EX, 0, 0, 2**40), OverflowError, ValueError, OSError)
    refused(lambda: fcntl.ioctl(a, 0x541B, bytearray(2000), False) and fcntl.ioctl(a, 0x5413), OSError)
    refused(lambda: fcntl.ioctl(a, 0x541B, 'x' * 2000), ValueError)
    refused(lambda: fcntl.flock(a, 16), OSError)
finally:
    for fd in (r, w, e, a, b):
        os.close(fd)
os.memfd_create('z', 0x1000)
