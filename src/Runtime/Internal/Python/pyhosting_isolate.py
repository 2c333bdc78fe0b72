# Managed backend: remove every trace of the .NET embedding from what Python code can reach.
import sys


def isolate():
    for name in list(sys.modules):
        if name in ("clr", "CLR") or name.startswith(("clr.", "CLR.", "System", "Python.Runtime", "Microsoft.")):
            del sys.modules[name]
    sys.meta_path[:] = [f for f in sys.meta_path if "DotNet" not in type(f).__name__ and "clr" not in type(f).__module__.lower()]
    sys.path_hooks[:] = [h for h in sys.path_hooks if "clr" not in getattr(h, "__module__", "").lower()]
    sys.path_importer_cache.clear()
    for attr in ("_pythonnet_run", "__pythonnet_run"):
        try:
            delattr(sys, attr)
        except AttributeError:
            pass
    import builtins
    for name in ("clr", "__clr__"):
        builtins.__dict__.pop(name, None)
