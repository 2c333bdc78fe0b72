# family: 13
# expect: ImportError | PermissionError
# _ctypes loaded from its file under a name that is not restricted (CPython calls PyInit_<last
# part>).
import _imp, glob, types
path = glob.glob('/usr/lib/python3.11/lib-dynload/_ctypes.*.so')[0]
module = _imp.create_dynamic(types.SimpleNamespace(name='json._ctypes', origin=path))
_imp.exec_dynamic(module)
module.dlopen(None)
