# family: 9
# expect: sqlite3.OperationalError
# The operating system's VFSes are unregistered: vfs= cannot pick one.
import sqlite3
for vfs in ('unix-dotfile', 'unix-excl', 'unix-none'):
    try:
        sqlite3.connect(f'file:__HOST_ROOT__/pwned.db?vfs={vfs}', uri=True)
        raise AssertionError(vfs + ' opened')
    except sqlite3.OperationalError as e:
        assert str(e) == 'no such vfs: ' + vfs, str(e)
sqlite3.connect('file:__HOST_ROOT__/pwned.db?vfs=unix', uri=True).execute('create table t (x)')
