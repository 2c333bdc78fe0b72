# family: 9
# expect: sqlite3.OperationalError
# absent: root:
# ATTACH opens a file from C: it goes through the runtime's VFS, where /etc/passwd is not in any mount.
import sqlite3
c = sqlite3.connect(':memory:')
c.execute("ATTACH '/etc/passwd' AS p")
print(c.execute('select * from p.sqlite_master').fetchall())
