# family: 8
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A directory descriptor is a runtime path checked like any: none is obtained for the root, an unmounted directory, or
# a mount's links out of it (escape -> ../outside, etc -> /etc), and IO=None refuses the mount itself.
import os
for path in ('/', '/etc', '/proc/self/cwd', '/data/escape', '/data/etc', '/data/..', '/data'):
    for flags in (os.O_RDONLY, os.O_RDONLY | os.O_DIRECTORY, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW):
        try:
            fd = os.open(path, flags)
            raise AssertionError('a descriptor for %s: %d' % (path, fd))
        except OSError:
            pass
os.open('/data/escape', os.O_RDONLY | os.O_DIRECTORY)
