# family: 23
# expect: timeout
# A huge GIL switch interval would keep the host from ever raising the interrupt.
import sys
sys.setswitchinterval(1e6)
assert sys.getswitchinterval() <= 0.05, sys.getswitchinterval()
while True:
    pass
