# Managed backend: the end of Python-level start-up, and the explanation of the modules it leaves out.
import sys


def isolate():
    """Ends the Python-level part of start-up: the host's audit hook then hardens the interpreter below Python."""
    sys.audit("pyhosting.isolated")


class _EmulatedLoader:
    """Makes a module the managed backend provides in Python instead of the built-in one it left out."""

    def __init__(self, source, note):
        self._source = source
        self._note = note

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__dict__["_note"] = self._note
        exec(compile(self._source, "<managed %s>" % module.__name__, "exec"), module.__dict__)


class _UnavailableFinder:
    """Explains why a module the managed backend left out cannot be imported (the filtered inittab is the enforcement),
    or provides its emulation."""

    def __init__(self, reasons, host_packages, emulated):
        self._reasons = dict(reasons)
        self._host_packages = frozenset(host_packages)
        self._emulated = dict(emulated)

    def find_spec(self, name, path=None, target=None):
        emulated = self._emulated.get(name)
        if emulated is not None:
            import importlib.machinery
            return importlib.machinery.ModuleSpec(name, _EmulatedLoader(*emulated), origin="managed")
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


def explain_unavailable(reasons, host_packages=(), emulated=()):
    sys.meta_path.append(_UnavailableFinder(reasons, host_packages, emulated))
