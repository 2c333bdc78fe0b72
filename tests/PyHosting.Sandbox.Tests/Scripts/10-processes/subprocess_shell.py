# family: 10
# expect: PermissionError
# key: PythonRuntime:Permissions:CreateProcess
# subprocess with a shell.
import subprocess
subprocess.check_output('touch __HOST_ROOT__/pwned', shell=True)
