# Managed backend: remove every trace of the .NET embedding from what Python code can reach.
import sys


def _is_embedding(module_name):
    m = module_name.lower()
    # pythonnet names the module of a wrapped .NET type after its namespace: "System" for System.Object.
    return (m in ("clr", "system", "microsoft", "python.runtime")
            or m.startswith(("clr.", "clr_", "system.", "python.runtime.", "microsoft."))
            or module_name.startswith("CLR"))


def _all_types():
    seen, todo = set(), [object]
    while todo:
        t = todo.pop()
        subs = type.__subclasses__(t) if isinstance(t, type) and issubclass(t, type) else t.__subclasses__()
        for s in subs:
            if s not in seen:
                seen.add(s)
                todo.append(s)
    return seen


def isolate():
    """Drops pythonnet's modules, importer and path entries; returns the embedding's types (the host unlinks them)."""
    for name in list(sys.modules):
        if _is_embedding(name) or name == "System":
            del sys.modules[name]
    sys.meta_path[:] = [f for f in sys.meta_path if not _is_embedding(getattr(type(f), "__module__", "") or "")
                        and "DotNet" not in type(f).__name__ and "DotNet" not in getattr(f, "__name__", "")]
    sys.path_hooks[:] = [h for h in sys.path_hooks if not _is_embedding(getattr(h, "__module__", "") or "")]
    sys.path_importer_cache.clear()
    import builtins
    for name in ("clr", "__clr__"):
        builtins.__dict__.pop(name, None)
    embedding = [t for t in _all_types() if _is_embedding(getattr(t, "__module__", "") or "")]
    # Tells the host's audit hook that start-up is done: it then hardens the interpreter below Python.
    sys.audit("pyhosting.isolated")
    return embedding


class _UnavailableFinder:
    """Explains why a module the managed backend left out cannot be imported (the filtered inittab is the enforcement)."""

    def __init__(self, reasons, host_packages):
        self._reasons = dict(reasons)
        self._host_packages = frozenset(host_packages)

    def find_spec(self, name, path=None, target=None):
        reason = self._reasons.get(name)
        if reason is not None:
            raise ModuleNotFoundError("module %r is not available in the managed backend: %s" % (name, reason), name=name)
        if name in self._host_packages:
            raise ModuleNotFoundError(
                "module %r is installed for the host's Python but is not on this runtime's path: a package with native code "
                "(numpy, for example) must be registered in PythonRuntime:NativeExtensions, which also requires "
                "PythonRuntime:Permissions:IO=All, CreateThread=true and NativeAccess=true; a pure-Python package can be "
                "mounted and listed in PythonRuntime:ModulePaths" % (name,), name=name)
        return None


def explain_unavailable(reasons, host_packages=()):
    sys.meta_path.append(_UnavailableFinder(reasons, host_packages))
