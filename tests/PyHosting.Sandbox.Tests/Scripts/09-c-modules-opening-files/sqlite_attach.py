# family: 9
# expect: ImportError
# key: PythonRuntime:NativeExtensions
# sqlite3 opens files in C (ATTACH, VACUUM INTO) and must be registered.
import sqlite3
sqlite3.connect(':memory:').execute("ATTACH '/etc/passwd' AS p")
