# family: 13
# expect: ImportError | PermissionError
# key: PythonRuntime:Permissions:NativeAccess
# ctypes calls arbitrary native code.
import ctypes
ctypes.CDLL(None).system(b'touch __HOST_ROOT__/pwned')
