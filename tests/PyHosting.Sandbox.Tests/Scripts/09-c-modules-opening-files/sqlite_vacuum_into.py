# family: 9
# expect: sqlite3.OperationalError
# VACUUM INTO writes a new file from C: no file appears in the host directory.
import sqlite3
c = sqlite3.connect(':memory:')
c.execute('create table t (x)')
c.execute("VACUUM INTO '__HOST_ROOT__/pwned.db'")
