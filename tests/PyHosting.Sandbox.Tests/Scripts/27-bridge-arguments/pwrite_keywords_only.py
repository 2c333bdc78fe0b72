# family: 27
# expect: TypeError
# Keywords for positional-only parameters, and the data missing: refused by the declared signature.
import os
os.pwrite(0, offset=0)
