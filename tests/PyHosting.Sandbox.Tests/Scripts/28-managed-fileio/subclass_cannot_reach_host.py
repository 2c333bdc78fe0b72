# family: 28
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A subclass of the managed FileIO that lies about its descriptor and its path: the C methods read the descriptor the
# instance holds (a system file here), and opening a path it may not read is refused whatever the subclass overrides.
import io, os
class Mine(io.FileIO):
    def fileno(self):
        return 5
    def __fspath__(self):
        return '/etc/passwd'
f = Mine(os.__file__, 'rb')
assert f.read(1)
assert io.FileIO.fileno(f) != 5
f.close()
Mine('/data/secret.txt').read()
