# family: 27
# expect: TypeError
# An object that claims a length but exports no buffer.
import os
class Liar:
    def __len__(self):
        return 1 << 40
os.readinto(0, Liar())
