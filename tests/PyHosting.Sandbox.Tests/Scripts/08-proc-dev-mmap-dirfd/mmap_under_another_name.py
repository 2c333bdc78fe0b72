# family: 8
# expect: ImportError
# The standard library's mmap loaded from its file under a name that is not restricted.
import _imp, glob, types
path = glob.glob('/usr/lib/python3.11/lib-dynload/mmap.*.so')[0]
module = _imp.create_dynamic(types.SimpleNamespace(name='json.mmap', origin=path))
_imp.exec_dynamic(module)
module.mmap(3, 4096)
