# family: 23
# expect: RecursionError
# Unbounded recursion at the default limit.
def down(n):
    return [down(n + 1)]
down(0)
