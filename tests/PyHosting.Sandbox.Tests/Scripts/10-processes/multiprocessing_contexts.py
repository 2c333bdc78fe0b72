# family: 10
# expect: ModuleNotFoundError | PermissionError | ValueError | AttributeError
# multiprocessing with spawn, fork and forkserver.
import multiprocessing
failures = 0
for method in ('fork', 'forkserver', 'spawn'):
    try:
        multiprocessing.get_context(method).Process(target=print).start()
    except (ImportError, OSError, ValueError, AttributeError):
        failures += 1
assert failures == 3
multiprocessing.Process(target=print).start()
