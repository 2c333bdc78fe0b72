# family: 9
# expect: ImportError
# key: PythonRuntime:NativeExtensions
# readline writes its history file in C.
import readline
readline.write_history_file('__HOST_ROOT__/pwned-history')
