"""faulthandler as the managed backend provides it.

Tracebacks are formatted in Python, from the frames Python code can see, and written with os.write to the
runtime's descriptors. No signal handler is installed and no descriptor of the host is written: a fatal error of
the process is not reported here (the host's own crash handling reports it). Only the calling thread's stack is
dumped (the other threads' frames are not available to Python code in the managed backend). dump_traceback_later
runs a threading.Timer (it needs CreateThread) and cannot end the process (exit=True is refused); register and
unregister record the signal without installing anything, as signal.signal does.
"""

import io as _io
import os as _os
import sys as _sys
import _thread

_MAX_FRAMES = 100
_enabled = None
_registered = {}
_later = None


def _fd_of(file):
    if file is None:
        file = _sys.stderr
        if file is None:
            raise RuntimeError("sys.stderr is None")
    if isinstance(file, int):
        if file < 0:
            raise ValueError("file is not a valid file descriptor")
        return file
    fd = file.fileno()
    if not isinstance(fd, int) or fd < 0:
        raise ValueError("file is not a valid file descriptor")
    try:
        file.flush()
    except Exception:
        pass
    return fd


def _write(fd, text):
    data = text.encode("utf-8", "backslashreplace")
    while data:
        data = data[_os.write(fd, data):]


def _stack(frame, header):
    lines = [header]
    depth = 0
    while frame is not None and depth < _MAX_FRAMES:
        code = frame.f_code
        line = frame.f_lineno
        lines.append('  File "%s", line %s in %s\n' % (code.co_filename, "???" if line is None else line, code.co_name))
        frame = frame.f_back
        depth += 1
    if frame is not None:
        lines.append("  ...\n")
    if depth == 0:
        lines.append("  <no Python frame>\n")
    return "".join(lines)


def _header(all_threads):
    if all_threads:
        return "Current thread 0x%016x (most recent call first):\n" % _thread.get_ident()
    return "Stack (most recent call first):\n"


def enable(file=None, all_threads=True):
    """Records where a fatal error's traceback would go; no handler of the process is installed."""
    global _enabled
    fd = _fd_of(file)
    _enabled = (fd, bool(all_threads))
    _note("enable", fd)


def disable():
    global _enabled
    was = _enabled is not None
    _enabled = None
    return was


def is_enabled():
    return _enabled is not None


def dump_traceback(file=None, all_threads=True):
    """Writes the calling thread's traceback."""
    fd = _fd_of(file)
    _note("dump_traceback", fd)
    _write(fd, _stack(_sys._getframe(1), _header(all_threads)))


def dump_traceback_later(timeout, repeat=False, file=None, exit=False):
    """After timeout seconds (a timer thread: CreateThread), writes the stack of the frame that called it."""
    global _later
    timeout = float(timeout)
    if not timeout > 0:
        raise ValueError("timeout must be greater than 0")
    if exit:
        raise _io.UnsupportedOperation(
            "faulthandler.dump_traceback_later with exit=True is not supported by the managed backend: it would end the process")
    fd = _fd_of(file)
    frame = _sys._getframe(1)
    cancel_dump_traceback_later()
    import threading

    def fire():
        global _later
        seconds = int(timeout)
        _write(fd, "Timeout (%d:%02d:%02d)!\n" % (seconds // 3600, seconds // 60 % 60, seconds % 60)
               + _stack(frame, "Thread 0x%016x (most recent call first):\n" % owner))
        if repeat and _later is timer:
            arm()

    def arm():
        global _later
        nonlocal timer
        timer = threading.Timer(timeout, fire)
        timer.daemon = True
        _later = timer
        timer.start()

    owner = _thread.get_ident()
    timer = None
    _note("dump_traceback_later", fd)
    try:
        arm()
    except BaseException:
        _later = None
        raise


def cancel_dump_traceback_later():
    global _later
    timer, _later = _later, None
    if timer is not None:
        timer.cancel()


def register(signum, file=None, all_threads=True, chain=False):
    """Records the signal (signals are not delivered to the managed backend)."""
    signum = int(signum)
    if signum < 1 or signum > 64:
        raise ValueError("signal number out of range")
    _registered[signum] = (_fd_of(file), bool(all_threads), bool(chain))
    _note("register", signum)


def unregister(signum):
    return _registered.pop(int(signum), None) is not None
