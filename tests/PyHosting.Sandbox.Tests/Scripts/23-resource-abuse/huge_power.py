# family: 23
# expect: timeout
# Big-integer arithmetic runs in C for minutes: the timeout still ends it.
10 ** (10 ** 8)
