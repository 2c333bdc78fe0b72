# family: 10
# expect: ImportError
# key: PythonRuntime:NativeExtensions
# pty.spawn forks and needs termios.
import pty
pty.spawn('/bin/sh')
