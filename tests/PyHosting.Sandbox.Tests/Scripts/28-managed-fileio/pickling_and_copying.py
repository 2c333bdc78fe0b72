# family: 28
# expect: TypeError
# Pickling or copying a managed FileIO (which would carry a descriptor number into another object) is refused.
import copy, io, os, pickle
f = io.FileIO(os.__file__, 'rb')
for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
    try:
        pickle.dumps(f, protocol)
    except TypeError:
        continue
    raise AssertionError('pickled with protocol %d' % protocol)
try:
    copy.copy(f)
    raise AssertionError('copied')
except TypeError:
    pass
f.close()
f.__reduce_ex__(2)
