# family: 10
# expect: PermissionError
# key: PythonRuntime:Permissions:CreateProcess
# os.popen.
import os
os.popen('touch __HOST_ROOT__/pwned').read()
