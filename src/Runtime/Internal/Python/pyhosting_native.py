# Native backend set-up: module paths, and the one subprocess feature an embedded runtime cannot offer.
import sys as _sys


def install(module_paths):
    for p in reversed(module_paths):
        if p not in _sys.path:
            _sys.path.insert(0, p)

    import _posixsubprocess

    original = _posixsubprocess.fork_exec

    def fork_exec(*args, **kwargs):
        # preexec_fn is positional argument 21 of fork_exec in 3.11.
        if len(args) > 21 and args[21] is not None:
            raise ValueError(
                "preexec_fn is not supported in an embedded runtime: it would run Python code in a "
                "forked copy of the .NET host process")
        return original(*args, **kwargs)

    _posixsubprocess.fork_exec = fork_exec
