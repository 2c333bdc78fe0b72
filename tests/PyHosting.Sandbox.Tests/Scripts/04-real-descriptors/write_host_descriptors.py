# family: 4
# expect: OSError
# errno: 9
# os.write on descriptor numbers the runtime did not open (the host log is one of them).
import os
for fd in range(3, 256):
    try:
        os.write(fd, b'pwned')
        raise AssertionError('wrote to descriptor %d' % fd)
    except OSError as e:
        assert e.errno == 9, (fd, e)
os.write(7, b'pwned')
