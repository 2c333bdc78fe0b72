"""What Python code may and may not do in this sample's sandbox (the Managed backend).

Each refusal names the configuration key that would allow it; the host logs every denial too.
Process-wide state is emulated per runtime: run with --environment Development to see the
PyHosting.Compatibility log explain it. In the Native backend nothing is sandboxed: the same tour
shows what plain CPython does, and changes nothing it cannot put back.
"""
import os
import signal
import subprocess
import threading


def attempt(description, action):
    try:
        result = action()
    except PermissionError as e:
        print(f"DENIED   {description}: {e}")
    except OSError as e:
        print(f"REFUSED  {description}: {type(e).__name__}: {e}")
    except Exception as e:
        print(f"FAILED   {description}: {type(e).__name__}: {e}")
    else:
        print(f"ALLOWED  {description}: {result!r}")


HERE = os.path.dirname(os.path.abspath(__file__))


def set_umask():
    previous = os.umask(0o027)
    os.umask(previous)  # put back: in the Native backend this is the process's own
    return oct(previous)


def write_scratch():
    with open("/tmp/scratch.txt", "w") as f:
        return f.write("kept in memory, gone when the host stops")


attempt("write a scratch file in /tmp (in memory)", write_scratch)
attempt("list the runtime's root directory", lambda: sorted(os.listdir("/")))
attempt("read the environment variable HOME", lambda: os.environ.get("HOME"))
attempt("set the umask (emulated, the process's own is untouched)", set_umask)
attempt("handle SIGTERM (recorded; the host never delivers it)", lambda: signal.signal(signal.SIGTERM, lambda *_: None) or "recorded")
attempt("read /etc/passwd (the host's files are not mounted)", lambda: f"{len(open('/etc/passwd').read())} characters")
attempt("open a shipped script for writing (mounted read-only)", lambda: open(os.path.join(HERE, "stats.py"), "a").close())
attempt("start a process: ls /", lambda: subprocess.run(["ls", "/"], check=True, stdout=subprocess.DEVNULL).returncode)
attempt("start a thread", lambda: threading.Thread(target=lambda: None).start())
