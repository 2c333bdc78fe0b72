# family: 15
# expect: PermissionError
# Replaying the private audit event that ends start-up, hoping to re-run or undo the hardening.
import sys
sys.audit('pyhosting.isolated')
