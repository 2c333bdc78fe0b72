# family: 15
# expect: PermissionError
# gc.get_objects, get_referrers and get_referents.
import gc, sys
for attempt in (lambda: gc.get_referrers(sys), lambda: gc.get_referents(sys.modules)):
    try:
        attempt()
        raise AssertionError('gc walked the heap')
    except PermissionError:
        pass
gc.get_objects()
