# family: 14
# expect: RecursionError
# sys.setrecursionlimit far above the cap, then unbounded recursion.
import sys
sys.setrecursionlimit(1 << 30)
assert sys.getrecursionlimit() <= 10000, sys.getrecursionlimit()
def down(n):
    return down(n + 1)
down(0)
