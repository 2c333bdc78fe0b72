"""What Python code may and may not do in this sample's sandbox (the Managed backend).

Each refusal names the configuration key that would allow it; the host logs every denial too.
Process-wide state is emulated per runtime: run with --environment Development to see the
PyHosting.Compatibility log explain it.
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
    else:
        print(f"ALLOWED  {description}: {result!r}")


def write_scratch():
    with open("/tmp/scratch.txt", "w") as f:
        return f.write("kept in memory, gone when the host stops")


attempt("write a scratch file in /tmp (in memory)", write_scratch)
attempt("list the runtime's root directory", lambda: sorted(os.listdir("/")))
attempt("read the environment variable HOME", lambda: os.environ.get("HOME"))
attempt("set the umask (emulated, the process's own is untouched)", lambda: oct(os.umask(0o027)))
attempt("handle SIGTERM (recorded, never delivered)", lambda: signal.signal(signal.SIGTERM, lambda *_: None) or "recorded")
attempt("read /etc/passwd (the host's files are not mounted)", lambda: open("/etc/passwd").read())
attempt("change a shipped script in /app (mounted read-only)", lambda: open("/app/stats.py", "a").write("#"))
attempt("start a process: ls /", lambda: subprocess.run(["ls", "/"], check=True))
attempt("start a thread", lambda: threading.Thread(target=print).start())
