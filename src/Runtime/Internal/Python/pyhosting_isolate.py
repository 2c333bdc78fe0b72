# Managed backend: the end of Python-level start-up, and the explanation of the modules it leaves out.
import sys


def isolate():
    """Ends the Python-level part of start-up: the host's audit hook then hardens the interpreter below Python."""
    sys.audit("pyhosting.isolated")


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
