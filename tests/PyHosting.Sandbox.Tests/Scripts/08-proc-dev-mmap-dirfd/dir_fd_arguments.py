# family: 8
# expect: io.UnsupportedOperation
# dir_fd arguments would resolve names against host descriptors.
import os
for call in (lambda: os.open('secret.txt', os.O_RDONLY, dir_fd=3), lambda: os.unlink('x', dir_fd=3), lambda: os.mkdir('x', dir_fd=3)):
    try:
        call()
        raise AssertionError('dir_fd was accepted')
    except OSError:
        pass
os.stat('secret.txt', dir_fd=3)
