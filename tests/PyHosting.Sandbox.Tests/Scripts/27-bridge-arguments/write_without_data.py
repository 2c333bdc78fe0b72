# family: 27
# expect: TypeError
# A bridge function called with its data argument missing: checked before any C-API call (it ended the host with SIGSEGV).
import os
os.write(1)
