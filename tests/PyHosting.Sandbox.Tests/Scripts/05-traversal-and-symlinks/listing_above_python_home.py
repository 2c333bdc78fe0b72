# family: 5
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Listing the parents of the Python home.
import os
os.listdir('/usr/lib/python3.11/..')
