# family: 4
# expect: OSError
# errno: 9
# os.dup2 from and onto descriptor numbers of the host.
import os
os.dup2(1, 200)  # a virtual copy of the runtime's stdout: allowed, and not a host descriptor
os.close(200)
os.dup2(9, 1)
