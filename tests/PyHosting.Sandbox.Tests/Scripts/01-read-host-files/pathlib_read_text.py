# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# pathlib.Path.read_text.
import pathlib
pathlib.Path('/data/secret.txt').read_text()
