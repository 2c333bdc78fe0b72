# family: 25
# expect: io.UnsupportedOperation
# The host's load average says what else runs on the machine.
import os
os.getloadavg()
