# family: 10
# expect: AttributeError
# posix_spawn, posix_spawnp and the spawn* family do not exist.
import os, posix
for name in ('posix_spawn', 'posix_spawnp', 'spawnv', 'spawnve', 'fork', 'forkpty', 'execv', 'execve'):
    assert not hasattr(os, name) and not hasattr(posix, name), name
os.posix_spawn('/usr/bin/touch', ['touch', '__HOST_ROOT__/pwned'], {})
