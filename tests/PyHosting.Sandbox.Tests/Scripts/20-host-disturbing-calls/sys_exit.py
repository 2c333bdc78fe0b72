# family: 20
# expect: SystemExit
# sys.exit with a failure code ends the call, not the host.
import sys
sys.exit(7)
