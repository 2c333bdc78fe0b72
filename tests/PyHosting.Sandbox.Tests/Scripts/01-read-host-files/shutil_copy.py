# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# shutil.copy into the in-memory /tmp.
import shutil
shutil.copy('/data/secret.txt', '/tmp/copy.txt')
