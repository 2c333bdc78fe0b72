# family: 5
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Creating a symbolic link is a write.
import os
os.symlink('/etc/passwd', '/tmp/passwd-link')
