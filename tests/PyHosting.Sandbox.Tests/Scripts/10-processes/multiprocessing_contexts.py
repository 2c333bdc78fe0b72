# family: 10
# expect: ModuleNotFoundError | PermissionError | ValueError | AttributeError
# multiprocessing with spawn, fork and forkserver. (multiprocessing imports: the pipes a failed start leaves behind
# are the runtime's own descriptors, closed here so that later scripts see only host numbers.)
import gc, os
import multiprocessing


def runtime_fds():
    fds = set()
    for fd in range(3, 1024):
        try:
            os.fstat(fd)
            fds.add(fd)
        except OSError:
            pass
    return fds


before = runtime_fds()
failures = 0
for method in ('fork', 'forkserver', 'spawn'):
    try:
        multiprocessing.get_context(method).Process(target=print).start()
    except (ImportError, OSError, ValueError, AttributeError):
        failures += 1
assert failures == 3
try:
    multiprocessing.Process(target=print).start()
finally:
    gc.collect()
    for fd in runtime_fds() - before:
        os.close(fd)
