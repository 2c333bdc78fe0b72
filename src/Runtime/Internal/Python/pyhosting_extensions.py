# Start-up check of the registered native extensions: each must be found on the module path
# without being imported (no package __init__ runs) and must be native code. The host formats
# the messages; this only reports what it found, one row per name:
#   ("native", file)          an extension module, or a package containing one (its first .so)
#   ("missing", searched)     not found; searched is the list of directories looked in
#   ("builtin", None)         compiled into the interpreter: registering it changes nothing
#   ("notnative", origin)     found, but Python code only
#   ("error", message)        the lookup itself failed
import importlib.machinery as _machinery
import importlib.util as _util
import os as _os
import sys as _sys

_SUFFIXES = tuple(_machinery.EXTENSION_SUFFIXES)


def _find_spec(fullname, path):
    # What the import system does for a submodule, without importing the parent package.
    for finder in _sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        spec = find_spec(fullname, path)
        if spec is not None:
            return spec
    return None


def _lookup(name):
    parts = name.split(".")
    searched = [str(p) for p in _sys.path]
    spec = _util.find_spec(parts[0])
    for i in range(1, len(parts)):
        if spec is None:
            break
        locations = spec.submodule_search_locations
        if locations is None:
            return None, searched, "'%s' is a module, not a package" % ".".join(parts[:i])
        searched = [str(p) for p in locations]
        spec = _find_spec(".".join(parts[:i + 1]), list(locations))
    return spec, searched, None


def _first_extension(locations):
    errors = []
    for location in locations:
        for root, _dirs, files in _os.walk(location, onerror=errors.append):
            for f in sorted(files):
                if f.endswith(_SUFFIXES):
                    return _os.path.join(root, f), errors
    return None, errors


def _check(name):
    try:
        spec, searched, problem = _lookup(name)
    except (ImportError, ValueError, OSError) as e:
        return ("error", "%s: %s" % (type(e).__name__, e))
    if problem is not None:
        return ("error", problem)
    if spec is None:
        return ("missing", searched)
    if isinstance(spec.loader, _machinery.ExtensionFileLoader):
        return ("native", str(spec.origin))
    if spec.origin in ("built-in", "frozen") or spec.loader in (_machinery.BuiltinImporter, _machinery.FrozenImporter):
        return ("builtin", None)
    locations = list(spec.submodule_search_locations or [])
    found, errors = _first_extension(locations)
    if found is not None:
        return ("native", found)
    if errors:
        return ("error", "%s cannot be listed: %s" % (", ".join(locations), errors[0]))
    return ("notnative", str(spec.origin or ", ".join(locations)))


def check(names):
    return [_check(n) for n in names]
