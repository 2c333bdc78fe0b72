# family: 4
# expect: OSError
# errno: 9
# os.close and os.closerange over the host descriptors; the host checks its own still work.
import os
os.closerange(3, 65536)
for fd in range(3, 1024):
    try:
        os.close(fd)
    except OSError as e:
        assert e.errno == 9, (fd, e)
os.fstat(3)
