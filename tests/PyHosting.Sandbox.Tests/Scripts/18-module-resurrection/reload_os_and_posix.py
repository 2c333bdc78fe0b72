# family: 18
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# importlib.reload of os and posix.
import importlib, os, posix
importlib.reload(posix)
importlib.reload(os)
os.listdir('/data')
