# family: 14
# expect: RecursionError
# _imp.create_builtin('sys') restores sys from CPython's copy: the cap must hold there too.
import _imp, importlib.machinery, sys
_imp.create_builtin(importlib.machinery.ModuleSpec('sys', None))
sys.setrecursionlimit(1 << 30)
assert sys.getrecursionlimit() <= 10000, sys.getrecursionlimit()
def down(n):
    return down(n + 1)
down(0)
