# family: 9
# expect: sqlite3.OperationalError
# key: PythonRuntime:Permissions:IO
# The standard library's _sqlite3 loaded under another name uses the same SQLite, whose only VFS is the runtime's.
import _imp, glob, types
path = glob.glob('/usr/lib/python3.11/lib-dynload/_sqlite3.*.so')[0]
module = _imp.create_dynamic(types.SimpleNamespace(name='json._sqlite3', origin=path))
_imp.exec_dynamic(module)
module.connect('__HOST_ROOT__/pwned.db').execute('create table t (x)')
