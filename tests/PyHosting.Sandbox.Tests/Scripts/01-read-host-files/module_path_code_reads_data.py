# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Code imported from a module path (allowed with IO=None) gets no more rights than the caller.
import sandbox_helper
sandbox_helper.read('/data/secret.txt')
