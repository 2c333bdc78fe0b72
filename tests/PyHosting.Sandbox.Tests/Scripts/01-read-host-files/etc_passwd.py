# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A system file that no mount serves.
open('/etc/passwd').read()
