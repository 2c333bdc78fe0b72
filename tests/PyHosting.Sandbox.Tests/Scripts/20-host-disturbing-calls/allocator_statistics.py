# family: 20
# expect: io.UnsupportedOperation
# sys._debugmallocstats writes to the real standard error of the host.
import sys
sys._debugmallocstats()
