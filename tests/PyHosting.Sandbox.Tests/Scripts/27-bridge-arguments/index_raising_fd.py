# family: 27
# expect: ZeroDivisionError | TypeError | OverflowError | ValueError
# An fd whose __index__ raises: the error is Python's, never a host fault.
import os
class Fd:
    def __index__(self):
        return 1 // 0
os.write(Fd(), b'x')
