# family: 19
# expect: PermissionError
# key: PythonRuntime:Permissions:CreateProcess
# Reading the environment through a child process.
import subprocess
subprocess.run(['/usr/bin/env'], capture_output=True)
