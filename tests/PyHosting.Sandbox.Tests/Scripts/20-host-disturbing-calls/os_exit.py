# family: 20
# expect: SystemExit
# os._exit ends the call, not the host.
import os
os._exit(3)
