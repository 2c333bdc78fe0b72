# family: 13
# expect: ImportError
# key: PythonRuntime:NativeExtensions
# _testcapi (memory-unsafe helpers) and _xxsubinterpreters.
try:
    import _xxsubinterpreters
    raise AssertionError('_xxsubinterpreters imported')
except ImportError:
    pass
import _testcapi
