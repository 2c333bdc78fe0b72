# family: 9
# expect: sqlite3.OperationalError
# key: PythonRuntime:Permissions:IO
# A database file in a mount with IO=None: refused, the message names the key.
import sqlite3
assert sqlite3.connect(':memory:').execute('select 1').fetchone() == (1,)
sqlite3.connect('/tmp/x.db').execute('create table t (x)')
