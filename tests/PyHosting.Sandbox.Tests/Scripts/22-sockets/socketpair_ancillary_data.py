# family: 22
# expect: OSError
# errno: 95
# sendmsg with SCM_RIGHTS (descriptor passing) over the runtime's socket pair carries nothing; recvmsg reports no
# ancillary data.
import array, os, socket
a, b = socket.socketpair()
a.sendmsg([b'plain'])
data, anc, flags, addr = b.recvmsg(10, socket.CMSG_LEN(64))
assert (data, anc) == (b'plain', []), (data, anc)
r, w = os.pipe()
try:
    a.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [r, 0, 1, 2]))])
finally:
    os.close(r); os.close(w); a.close(); b.close()
