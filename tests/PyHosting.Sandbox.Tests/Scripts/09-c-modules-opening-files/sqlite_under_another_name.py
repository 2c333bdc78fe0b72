# family: 9
# expect: ImportError
# The standard library's _sqlite3 loaded under a name that is not restricted.
import _imp, glob, types
path = glob.glob('/usr/lib/python3.11/lib-dynload/_sqlite3.*.so')[0]
module = _imp.create_dynamic(types.SimpleNamespace(name='json._sqlite3', origin=path))
_imp.exec_dynamic(module)
module.connect('__HOST_ROOT__/pwned.db').execute('create table t (x)')
