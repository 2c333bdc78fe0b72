# family: 9
# expect: sqlite3.OperationalError
# absent: TOP-SECRET
# The secret's host path is not a runtime path: SQLite never opens a host path by itself.
import sqlite3
c = sqlite3.connect(':memory:')
c.execute("ATTACH '__HOST_SECRET__' AS s")
print(c.execute('select * from s.sqlite_master').fetchall())
