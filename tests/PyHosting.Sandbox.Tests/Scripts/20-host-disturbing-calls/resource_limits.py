# family: 20
# expect: ImportError
# key: PythonRuntime:NativeExtensions
# resource.setrlimit would lower the host limits.
import resource
resource.setrlimit(resource.RLIMIT_NOFILE, (8, 8))
