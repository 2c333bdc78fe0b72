# family: 8
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# /proc/self/maps and /proc/self/fd.
import os
try:
    open('/proc/self/maps').read()
    raise AssertionError('maps was readable')
except PermissionError:
    pass
os.readlink('/proc/self/fd/0')
