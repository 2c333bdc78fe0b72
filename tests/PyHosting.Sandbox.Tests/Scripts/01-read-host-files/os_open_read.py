# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# The posix layer: os.open then os.read.
import os
fd = os.open('/data/secret.txt', os.O_RDONLY)
os.read(fd, 100)
