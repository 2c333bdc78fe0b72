# family: 25
# expect: ProcessLookupError
# errno: 3
# Scheduling and priority of other processes: affinity, policy, parameters, round-robin interval, nice value.
import os
calls = [
    lambda: os.sched_getscheduler(1), lambda: os.sched_getparam(1), lambda: os.sched_rr_get_interval(1),
    lambda: os.getpriority(os.PRIO_PROCESS, 1), lambda: os.getpriority(os.PRIO_PGRP, 1),
    lambda: os.getpriority(os.PRIO_USER, os.getuid() + 1),
]
for call in calls:
    try:
        call()
        raise AssertionError('answered for another process')
    except ProcessLookupError:
        pass
os.sched_getaffinity(1)
