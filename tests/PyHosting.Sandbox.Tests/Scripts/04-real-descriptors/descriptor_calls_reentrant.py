# family: 4
# expect: OSError
# errno: 9
# Arguments whose __index__, __len__ or __getitem__ close or replace the descriptor a call names, descriptors of the
# wrong kind, and a fresh copy of fcntl: the call sees the table as it is once its arguments are read (EBADF for the
# closed number), never a released file.
import _imp, fcntl, importlib.machinery, os, socket

class Closer:
    def __init__(self, fd, value):
        self.fd, self.value = fd, value
    def __index__(self):
        try:
            os.close(self.fd)
        except OSError:
            pass
        return self.value

class ClosingList(list):
    def __init__(self, fd, items):
        super().__init__(items)
        self.fd = fd
    def __getitem__(self, i):
        try:
            os.close(self.fd)
        except OSError:
            pass
        return list.__getitem__(self, i)

def ebadf(call):
    try:
        call()
    except OSError as x:
        assert x.errno == 9, x
        return
    raise AssertionError('worked on a closed descriptor')

opened = []
def make_pipe():
    r, w = os.pipe()
    opened.append(r)
    return w
src = os.memfd_create('src')
for make in (lambda: os.memfd_create('m'), make_pipe, lambda: os.eventfd(0)):
    fd = make()
    ebadf(lambda: os.sendfile(fd, src, 0, Closer(fd, 4)))
    fd = make()
    ebadf(lambda: os.writev(fd, ClosingList(fd, [b'abc', b'def'])))
    fd = make()
    ebadf(lambda: fcntl.fcntl(fd, fcntl.F_SETFL, Closer(fd, 0)))
    fd = make()
    ebadf(lambda: fcntl.lockf(fd, fcntl.LOCK_UN, Closer(fd, 0)))
for fd in opened + [src]:
    os.close(fd)

# Descriptors of another kind: refused as Linux refuses them.
a, b = socket.socketpair()
e = os.eventfd(0)
m = os.memfd_create('k')
r, w = os.pipe()
for call, errno in ((lambda: os.sendfile(w, a.fileno(), 0, 1), 22), (lambda: os.splice(a.fileno(), b.fileno(), 1), 22),
                    (lambda: os.copy_file_range(e, m, 1), 22), (lambda: os.copy_file_range(m, w, 1), 22),
                    (lambda: fcntl.fcntl(a, fcntl.F_GETPIPE_SZ), 9), (lambda: os.posix_fallocate(a.fileno(), 0, 1), 29)):
    try:
        call()
        raise AssertionError('accepted')
    except OSError as x:
        assert x.errno == errno, (x, errno)
try:
    fcntl.ioctl(e, 0x541B, b'\0' * 4)
    raise AssertionError('FIONREAD on an eventfd')
except OSError as x:
    assert x.errno == 25, x

# A fresh fcntl and a re-imported one are the managed module.
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('fcntl', None))
_imp.exec_builtin(fresh)
import sys
del sys.modules['fcntl']
again = __import__('fcntl')
for module in (fresh, again):
    assert module.fcntl(w, module.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
    ebadf(lambda: module.flock(1000, module.LOCK_EX))
for fd in (e, m, r, w):
    os.close(fd)
a.close()
b.close()
fresh.fcntl(e, fresh.F_GETFD)
