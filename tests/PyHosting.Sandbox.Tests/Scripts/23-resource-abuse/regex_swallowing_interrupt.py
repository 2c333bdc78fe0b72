# family: 23
# expect: timeout
# Backtracking matches in a loop that swallows every interrupt.
import re
while True:
    try:
        re.match(r'(a+)+$', 'a' * 64 + 'b')
    except BaseException:
        pass
