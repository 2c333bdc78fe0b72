# family: 25
# expect: ProcessLookupError
# errno: 3
# CPython hands the integer to the C library as a thread handle (a pointer): anything but the calling thread is refused.
import random, threading, time
me = threading.get_ident()
assert time.clock_gettime(time.pthread_getcpuclockid(me)) >= 0
for value in [1, 0xdeadbeef, me + 4096, me - 4096] + [random.getrandbits(47) for _ in range(64)]:
    try:
        time.pthread_getcpuclockid(value)
        raise AssertionError('accepted thread id %#x' % value)
    except ProcessLookupError:
        pass
time.pthread_getcpuclockid(random.getrandbits(63) | 1)
