# family: 13
# expect: ImportError | PermissionError
# key: PythonRuntime:Permissions:NativeAccess
# A file loaded under the cffi backend name needs NativeAccess.
import _imp, glob, types
path = glob.glob('/usr/lib/python3.11/lib-dynload/_json.*.so')[0]
_imp.create_dynamic(types.SimpleNamespace(name='_cffi_backend', origin=path))
