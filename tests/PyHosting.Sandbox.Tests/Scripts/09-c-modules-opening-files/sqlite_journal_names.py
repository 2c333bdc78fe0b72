# family: 9
# expect: sqlite3.OperationalError
# Journals are named after their database and opened through the same VFS: a memdb database's journal and a
# database whose name ends where a host file's begins reach nothing outside the runtime's file system.
import sqlite3
c = sqlite3.connect('file:/data/secret.txt?vfs=memdb', uri=True)
c.execute('create table t (x)')
c.execute('insert into t values (1)')
c.commit()
assert c.execute('select count(*) from t').fetchone() == (1,)
sqlite3.connect('/data/secret.txt-journal/../secret.txt').execute('create table t (x)')
