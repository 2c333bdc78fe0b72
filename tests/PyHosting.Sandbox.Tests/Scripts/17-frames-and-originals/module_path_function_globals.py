# family: 17
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A module path function's __globals__ and builtins are the ordinary ones.
import sandbox_helper
g = sandbox_helper.read.__globals__
b = g['__builtins__']
opener = b['open'] if isinstance(b, dict) else b.open
opener('/data/secret.txt')
