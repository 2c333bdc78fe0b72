# family: 10
# expect: AttributeError
# posix_spawn, posix_spawnp, fork and forkpty do not exist (exec* raise: exec_family.py). The spawn* family is the
# runtime's: it starts children through the process provider, so without CreateProcess it is refused like subprocess.
import os, posix
for name in ('posix_spawn', 'posix_spawnp', 'fork', 'forkpty'):
    assert not hasattr(os, name) and not hasattr(posix, name), name
for spawn in (lambda: os.spawnv(os.P_WAIT, '/usr/bin/touch', ['touch', '__HOST_ROOT__/pwned']),
              lambda: posix.spawnve(os.P_NOWAIT, '/usr/bin/touch', ['touch', '__HOST_ROOT__/pwned'], {}),
              lambda: os.spawnlp(os.P_NOWAIT, 'touch', 'touch', '__HOST_ROOT__/pwned')):
    try:
        spawn()
        raise AssertionError('a child was spawned')
    except PermissionError as e:
        assert 'PythonRuntime:Permissions:CreateProcess' in str(e), e
os.posix_spawn('/usr/bin/touch', ['touch', '__HOST_ROOT__/pwned'], {})
