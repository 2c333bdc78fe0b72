# family: 4
# expect: OSError
# errno: 9
# os.fdopen and open() with an integer descriptor.
import os
try:
    os.fdopen(4).read()
    raise AssertionError('fdopen(4) worked')
except OSError as e:
    assert e.errno == 9
open(6, 'rb').read()
