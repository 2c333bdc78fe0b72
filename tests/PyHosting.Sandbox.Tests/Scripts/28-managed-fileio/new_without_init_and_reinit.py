# family: 28
# expect: ValueError
# An instance made by __new__ alone holds no descriptor (not 0, the runtime's standard input); an __init__ that fails
# part-way leaves none either.
import io, os
f = io.FileIO.__new__(io.FileIO)
assert f.closed
g = io.FileIO(os.__file__, 'rb')
try:
    g.__init__('/data/secret.txt')
    raise AssertionError('reopened')
except PermissionError:
    pass
assert g.closed
f.fileno()
