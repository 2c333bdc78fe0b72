# family: 22
# expect: OSError
# errno: 9
# A socket pair's descriptors after close: every use fails, and a number reused by a file is no socket.
import os, socket
a, b = socket.socketpair()
fa, fb = a.fileno(), b.fileno()
a.close()
for call in (lambda: os.read(fa, 1), lambda: os.write(fa, b'x'), lambda: socket.socket(fileno=fa)):
    try:
        call()
        raise AssertionError('a closed descriptor worked')
    except OSError as e:
        assert e.errno == 9, e
r, w = os.pipe()
try:
    socket.socket(fileno=r)
    raise AssertionError('a pipe was taken for a socket')
except OSError as e:
    assert e.errno == 88, e
copy = os.dup(r)
os.close(copy)
try:
    socket.fromfd(r, socket.AF_UNIX, socket.SOCK_STREAM)
    raise AssertionError('fromfd took a pipe')
except OSError as e:
    assert e.errno == 88, e
os.close(copy)  # fromfd's own copy (the lowest free number), left open as CPython leaves it
b.close()
os.close(r); os.close(w)
os.write(fb, b'x')
