# family: 8
# expect: ImportError
# key: PythonRuntime:NativeExtensions
# mmap maps real descriptors and files.
import mmap
mmap.mmap(3, 4096)
