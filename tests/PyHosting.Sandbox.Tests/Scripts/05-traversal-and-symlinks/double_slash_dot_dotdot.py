# family: 5
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# '//./..' forms.
open('//./../etc//passwd').read()
