# family: 26
# expect: OSError
# errno: 12
# One huge value, straight to putenv (os.environ keeps no copy of it): refused, nothing stored.
import os
try:
    os.putenv('PYHOSTING_HUGE', 'x' * (64 << 20))
finally:
    assert 'PYHOSTING_HUGE' not in os.environ
