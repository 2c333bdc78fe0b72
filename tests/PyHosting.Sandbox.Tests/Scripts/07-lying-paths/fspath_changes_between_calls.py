# family: 7
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# An __fspath__ that answers a readable path first and the secret afterwards: the path is read
# once.
import io, os
class Shifty:
    calls = 0
    def __fspath__(self):
        Shifty.calls += 1
        return '/usr/lib/python3.11/os.py' if Shifty.calls % 2 == 1 else '/data/secret.txt'
for read in (lambda p: open(p).read(), lambda p: os.read(os.open(p, 0), 64), lambda p: io.open_code(p).read()):
    Shifty.calls = 0
    data = read(Shifty())
    if isinstance(data, bytes):
        data = data.decode()
    assert 'TOP-SECRET' not in data, 'the second answer was used'
    assert Shifty.calls == 1, 'the path was read %d times' % Shifty.calls
open('/data/secret.txt')
