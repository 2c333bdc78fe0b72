# family: 8
# expect: OSError
# errno: 9
# A closed directory descriptor is EBADF; once its number is reused it names the new file (a regular file: ENOTDIR),
# never the directory it named before.
import errno, os
home = os.path.dirname(os.__file__)
fd = os.open(home, os.O_RDONLY)
os.close(fd)
again = os.open(home + '/os.py', os.O_RDONLY)
assert again == fd
try:
    os.stat('os.py', dir_fd=fd)
    raise AssertionError('a file descriptor was used as a directory')
except NotADirectoryError:
    pass
os.close(again)
os.listdir(fd)
