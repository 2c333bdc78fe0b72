# family: 28
# expect: OSError
# errno: 9
# The managed FileIO on descriptor numbers the runtime did not open (the host's own files, sockets and logs live
# there): construction fails with EBADF, through io.FileIO, open(), an opener and a second __init__.
import io, os
for fd in (3, 4, 5, 7, 64, 255, 1023):
    for make in (lambda: io.FileIO(fd, 'rb'), lambda: io.FileIO(fd, 'wb', closefd=False), lambda: open(fd, 'rb'),
                 lambda: open(os.__file__, 'rb', opener=lambda p, flags: fd)):
        try:
            make().read()
        except OSError as e:
            assert e.errno == 9, (fd, e)
            continue
        raise AssertionError('descriptor %d was wrapped' % fd)
f = io.FileIO(os.__file__, 'rb')
f.__init__(6, 'rb')
