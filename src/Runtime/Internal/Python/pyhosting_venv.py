# A virtual environment's start-up work, for both backends: its directories on sys.path (the host read its
# .pth files, as site.addsitedir would), then the .pth files' import lines, run as site runs them: each as
# ordinary Python code (inside the sandbox in the Managed backend), a failure reported and the rest going on.
import sys as _sys


def add_paths(paths, before_site_packages):
    if not before_site_packages:
        _sys.path.extend(p for p in paths if p not in _sys.path)
        return
    import site
    system = set(site.getsitepackages())
    index = next((i for i, p in enumerate(_sys.path) if p in system), len(_sys.path))
    _sys.path[index:index] = [p for p in paths if p not in _sys.path]


def run_imports(lines):
    failures = []
    for file, number, code in lines:
        try:
            exec(code, {"__name__": "__pth__", "__builtins__": __builtins__})
        except Exception as e:
            failures.append("%s line %d (%s): %s: %s" % (file, number, code, type(e).__name__, e))
    return failures
