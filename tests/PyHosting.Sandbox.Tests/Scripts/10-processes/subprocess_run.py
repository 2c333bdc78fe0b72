# family: 10
# expect: PermissionError
# key: PythonRuntime:Permissions:CreateProcess
# subprocess.run with an argument list.
import subprocess
subprocess.run(['/usr/bin/touch', '__HOST_ROOT__/pwned'])
