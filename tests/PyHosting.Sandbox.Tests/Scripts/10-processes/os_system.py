# family: 10
# expect: PermissionError
# key: PythonRuntime:Permissions:CreateProcess
# os.system.
import os
os.system('touch __HOST_ROOT__/pwned')
