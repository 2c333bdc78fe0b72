# family: 28
# expect: ValueError
# A closed managed FileIO forgets its descriptor: once the number is reused by another file, the closed object reaches
# nothing (no read, write, seek or truncate of the new file through the old object).
# g usually gets the same number.
import io, os
f = io.FileIO(os.__file__, 'rb')
fd = f.fileno()
f.close()
g = io.FileIO(os.__file__, 'rb')
for call in (lambda: f.read(), lambda: f.readinto(bytearray(8)), lambda: f.seek(0), lambda: f.tell(), lambda: f.fileno(),
             lambda: f.readall(), lambda: f.isatty(), lambda: f.truncate(0), lambda: f.write(b'x')):
    try:
        call()
    except ValueError:
        continue
    raise AssertionError('a closed FileIO reached descriptor %d' % fd)
f.close()
assert not g.closed and g.read(1)
g.close()
f.read()
