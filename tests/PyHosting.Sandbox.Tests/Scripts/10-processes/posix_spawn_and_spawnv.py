# family: 10
# expect: AttributeError
# posix_spawn, posix_spawnp, fork and the spawn* family do not exist (exec* raise: exec_family.py).
import os, posix
for name in ('posix_spawn', 'posix_spawnp', 'spawnv', 'spawnve', 'fork', 'forkpty'):
    assert not hasattr(os, name) and not hasattr(posix, name), name
os.posix_spawn('/usr/bin/touch', ['touch', '__HOST_ROOT__/pwned'], {})
