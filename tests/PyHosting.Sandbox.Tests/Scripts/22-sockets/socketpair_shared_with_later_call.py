# family: 22
# expect: OSError
# errno: 9
# A socket object handed to another call through a module global still names only the runtime's descriptor;
# once closed, the number is dead for every later call.
import builtins, os, socket
a, b = socket.socketpair()
builtins.__dict__['_leaked_pair'] = (a, b)
a.sendall(b'kept')
assert b.recv(4) == b'kept'
fd = a.fileno()
a.close(); b.close()
del builtins.__dict__['_leaked_pair']
os.fstat(fd)
