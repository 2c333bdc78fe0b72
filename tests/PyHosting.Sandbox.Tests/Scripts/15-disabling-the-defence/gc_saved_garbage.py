# family: 15
# expect: PermissionError
# gc.DEBUG_SAVEALL keeps collected objects: nothing of the host is among them.
import gc
gc.set_debug(gc.DEBUG_SAVEALL)
try:
    class Cycle:
        pass
    a = Cycle(); a.self = a; del a
    gc.collect()
    found = [type(o).__module__ for o in gc.garbage if 'clr' in str(type(o).__module__).lower() or 'System' in str(type(o).__module__)]
    assert not found, found
finally:
    gc.set_debug(0)
    gc.garbage.clear()
gc.get_objects()
