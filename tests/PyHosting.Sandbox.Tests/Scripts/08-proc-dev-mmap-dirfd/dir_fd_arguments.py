# family: 8
# expect: OSError
# errno: 9
# dir_fd names the runtime's own virtual descriptors only: the host's descriptor numbers (its log file, its sockets) are EBADF.
import os
for fd in range(3, 256):
    for call in (lambda: os.open('secret.txt', os.O_RDONLY, dir_fd=fd), lambda: os.unlink('x', dir_fd=fd),
                 lambda: os.mkdir('x', dir_fd=fd), lambda: os.listdir(fd), lambda: os.fchdir(fd)):
        try:
            call()
            raise AssertionError('dir_fd %d was accepted' % fd)
        except OSError:
            pass
os.stat('secret.txt', dir_fd=300)
