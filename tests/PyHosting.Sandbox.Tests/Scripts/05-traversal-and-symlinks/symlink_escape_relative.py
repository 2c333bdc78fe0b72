# family: 5
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A relative symbolic link that leads out of the mount to a host directory.
open('/data/escape/host-only.txt').read()
