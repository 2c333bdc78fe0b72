# family: 10
# expect: io.UnsupportedOperation
# The exec family would replace the host process: refused like any unsupported call, not with a NameError.
import os
target = '__HOST_ROOT__/pwned'
calls = {
    'execl': lambda: os.execl('/usr/bin/touch', 'touch', target),
    'execle': lambda: os.execle('/usr/bin/touch', 'touch', target, {}),
    'execlp': lambda: os.execlp('touch', 'touch', target),
    'execlpe': lambda: os.execlpe('touch', 'touch', target, {}),
    'execv': lambda: os.execv('/usr/bin/touch', ['touch', target]),
    'execve': lambda: os.execve('/usr/bin/touch', ['touch', target], {}),
    'execvpe': lambda: os.execvpe('touch', ['touch', target], {}),
}
for name, call in calls.items():
    try:
        call()
        raise AssertionError(name + ' returned')
    except NameError:
        raise AssertionError(name + ' failed with a NameError')
    except OSError as e:
        assert 'not supported by the managed backend' in str(e), e
os.execvp('touch', ['touch', target])
