# family: 9
# expect: sqlite3.OperationalError
# absent: root:
# URI forms, read-only and immutable modes, and memdb: none reaches a host file.
import sqlite3
for uri in ('file:///etc/passwd?mode=ro', 'file://localhost/etc/passwd?immutable=1', 'file:/data/../../etc/passwd?mode=ro&nolock=1',
            'file:/etc/passwd?vfs=memdb'):
    try:
        rows = sqlite3.connect(uri, uri=True).execute('select * from sqlite_master').fetchall()
        assert rows == [], uri
    except sqlite3.OperationalError:
        pass
sqlite3.connect('file:%2Fetc%2Fpasswd?mode=ro', uri=True).execute('select * from sqlite_master').fetchall()
