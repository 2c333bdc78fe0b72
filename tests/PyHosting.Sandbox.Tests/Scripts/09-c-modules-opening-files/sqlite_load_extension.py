# family: 9
# expect: sqlite3.OperationalError
# key: PythonRuntime:Permissions:NativeAccess
# Loading an extension runs native code: refused without NativeAccess, through the API and through SQL.
import sqlite3
c = sqlite3.connect(':memory:')
c.enable_load_extension(True)
try:
    c.execute("select load_extension('/usr/lib/x86_64-linux-gnu/libc.so.6')").fetchall()
    raise AssertionError('loaded')
except sqlite3.OperationalError as e:
    assert 'PythonRuntime:Permissions:NativeAccess' in str(e), str(e)
c.load_extension('/usr/lib/x86_64-linux-gnu/libc.so.6')
