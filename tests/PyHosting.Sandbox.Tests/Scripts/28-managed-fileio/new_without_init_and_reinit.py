# family: 28
# expect: ValueError
# An instance made by __new__ alone holds no descriptor (not 0, the runtime's standard input), and no base's __new__
# can make one; an __init__ that fails part-way leaves none either.
import _io, io, os
f = io.FileIO.__new__(io.FileIO)
assert f.closed
# A base's constructor would leave the descriptor field zeroed (descriptor 0): CPython refuses it for a C type.
class Sub(io.FileIO):
    pass
for base_new, cls in ((object.__new__, io.FileIO), (_io._RawIOBase.__new__, io.FileIO), (_io._IOBase.__new__, Sub)):
    try:
        base_new(cls)
    except TypeError:
        continue
    raise AssertionError('%r made a FileIO' % (base_new,))
g = io.FileIO(os.__file__, 'rb')
try:
    g.__init__('/data/secret.txt')
    raise AssertionError('reopened')
except PermissionError:
    pass
assert g.closed
f.fileno()
