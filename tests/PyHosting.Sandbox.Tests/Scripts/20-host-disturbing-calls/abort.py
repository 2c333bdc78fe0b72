# family: 20
# expect: io.UnsupportedOperation
# os.abort.
import os
os.abort()
