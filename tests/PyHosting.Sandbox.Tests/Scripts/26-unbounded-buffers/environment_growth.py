# family: 26
# expect: OSError
# errno: 12
# The runtime's environment lives in .NET: adding to it ends at its bound with ENOMEM, whatever the memory limit.
import os
value = 'x' * 65536
added = []
try:
    for i in range(100000):
        os.environ['PYHOSTING_GROWTH_%d' % i] = value
        added.append('PYHOSTING_GROWTH_%d' % i)
finally:
    for name in added:
        del os.environ[name]
