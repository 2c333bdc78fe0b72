# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# io.open_code reads code for imports: a data file outside the module paths is not code.
import io
io.open_code('/data/secret.txt').read()
