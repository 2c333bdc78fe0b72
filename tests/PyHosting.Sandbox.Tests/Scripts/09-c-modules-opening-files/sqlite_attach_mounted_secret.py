# family: 9
# expect: sqlite3.OperationalError
# absent: TOP-SECRET
# A file that is mounted, with IO=None: ATTACH must not read it (the refusal is logged naming PythonRuntime:Permissions:IO).
import sqlite3
c = sqlite3.connect(':memory:')
c.execute("ATTACH '/data/secret.txt' AS s")
print(c.execute('select * from s.sqlite_master').fetchall())
