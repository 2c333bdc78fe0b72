# family: 4
# expect: OSError
# errno: 9
# os.read on every descriptor number the runtime did not open.
import os
for fd in range(3, 256):
    try:
        os.read(fd, 1)
        raise AssertionError('read from descriptor %d' % fd)
    except OSError as e:
        assert e.errno == 9, (fd, e)
os.read(5, 1)
