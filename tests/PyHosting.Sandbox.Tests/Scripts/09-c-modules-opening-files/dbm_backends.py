# family: 9
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# dbm.gnu and dbm.ndbm open files in C; dbm.dumb goes through the managed layer.
for backend in ('dbm.gnu', 'dbm.ndbm'):
    try:
        __import__(backend)
        raise AssertionError(backend + ' imported')
    except ImportError:
        pass
import dbm.dumb
dbm.dumb.open('/tmp/db', 'c')
