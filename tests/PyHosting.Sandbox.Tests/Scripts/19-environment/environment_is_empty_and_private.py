# family: 19
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Environment=None: nothing of the host environment is visible, and writes stay in the runtime.
import _imp, importlib.machinery, os, posix
assert dict(os.environ) == {} and os.getenv('PATH') is None and dict(posix.environ) == {}, dict(os.environ)
fresh = _imp.create_builtin(importlib.machinery.ModuleSpec('posix', None))
_imp.exec_builtin(fresh)
assert not {b'PATH', b'HOME'} & set(fresh.environ)
os.environ['PYHOSTING_SANDBOX_PROBE'] = 'set-by-python'
os.putenv('LD_PRELOAD', '/tmp/evil.so')
os.unsetenv('PATH')
assert os.environ['PYHOSTING_SANDBOX_PROBE'] == 'set-by-python'
open('/proc/self/environ', 'rb')
