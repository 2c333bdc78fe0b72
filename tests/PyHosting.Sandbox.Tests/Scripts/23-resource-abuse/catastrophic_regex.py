# family: 23
# expect: timeout
# A backtracking match runs in C without bytecode: the timeout still ends it.
import re
re.match(r'(a+)+$', 'a' * 64 + 'b')
