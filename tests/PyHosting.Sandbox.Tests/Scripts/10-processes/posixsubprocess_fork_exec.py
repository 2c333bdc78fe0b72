# family: 10
# expect: PermissionError
# key: PythonRuntime:Permissions:CreateProcess
# A direct _posixsubprocess.fork_exec.
import _posixsubprocess
_posixsubprocess.fork_exec(['/usr/bin/touch', '__HOST_ROOT__/pwned'], [b'/usr/bin/touch'], True, (), None, None,
                           -1, -1, -1, -1, -1, -1, -1, -1, False, False, None, None, None, -1, None, False)
