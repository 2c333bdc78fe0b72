# family: 5
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A hard link is a write: a second name for a host file, reached directly or through a link out of the mount.
import os
try:
    os.link('/data/escape/host-only.txt', '/tmp/stolen')
except PermissionError:
    pass
else:
    raise AssertionError('linked through the escaping link')
os.link('/etc/passwd', '/tmp/passwd-hard', follow_symlinks=False)
