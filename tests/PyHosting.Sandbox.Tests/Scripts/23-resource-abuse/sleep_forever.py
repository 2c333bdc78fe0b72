# family: 23
# expect: timeout
# time.sleep far beyond the timeout.
import time
time.sleep(10 ** 9)
