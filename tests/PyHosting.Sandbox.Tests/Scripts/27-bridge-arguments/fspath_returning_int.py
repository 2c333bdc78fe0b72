# family: 27
# expect: TypeError
# __fspath__ that returns an int instead of str or bytes.
import os
class P:
    def __fspath__(self):
        return 3
os.stat(P())
