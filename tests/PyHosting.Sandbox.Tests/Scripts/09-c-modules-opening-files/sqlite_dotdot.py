# family: 9
# expect: sqlite3.OperationalError
# key: PythonRuntime:Permissions:IO
# '..' resolves in the runtime's name space, never on the host.
import sqlite3
sqlite3.connect('/data/../../../../etc/passwd').execute('select * from sqlite_master').fetchall()
