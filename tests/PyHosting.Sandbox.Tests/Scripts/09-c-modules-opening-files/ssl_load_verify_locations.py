# family: 9
# expect: ImportError
# key: PythonRuntime:NativeExtensions
# ssl reads certificate files in C.
import ssl
ssl.create_default_context().load_verify_locations('/etc/passwd')
