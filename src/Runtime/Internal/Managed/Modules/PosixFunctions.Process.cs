using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Modules;

internal sealed unsafe partial class PosixFunctions
{
    /// <summary>Builds <c>posix.environ</c>: a bytes dictionary of what the policy lets Python see.</summary>
    public static nint EnvironmentDictionary(ManagedBackend backend)
    {
        var dict = LibPython.PyDict_New();
        if (dict == 0)
        {
            return 0;
        }

        lock (backend.Environment)
        {
            foreach (var (key, value) in backend.Environment)
            {
                var k = Py.NewBytes(System.Text.Encoding.UTF8.GetBytes(key));
                var v = Py.NewBytes(System.Text.Encoding.UTF8.GetBytes(value));
                LibPython.PyDict_SetItem(dict, k, v);
                LibPython.Py_DecRef(k);
                LibPython.Py_DecRef(v);
            }
        }

        return dict;
    }

    private nint PutEnv(BridgeArgs args)
    {
        var name = Arg.OptionalString(args, 0, "name") ?? throw new PythonArgumentException("putenv: name required");
        var value = Arg.OptionalString(args, 1, "value") ?? throw new PythonArgumentException("putenv: value required");
        CheckEnvironmentName(name);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new PythonArgumentException("embedded null byte", true);
        }

        _backend.SetEnvironmentVariable(name, value);

        return Py.NewNone();
    }

    /// <summary>A variable name as <c>putenv</c>/<c>unsetenv</c> take it: not empty, no <c>=</c>, no NUL (ValueError, as CPython).</summary>
    private static void CheckEnvironmentName(string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new PythonArgumentException("embedded null byte", true);
        }

        if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal))
        {
            throw new PythonArgumentException("illegal environment variable name", true);
        }
    }

    private nint UnsetEnv(BridgeArgs args)
    {
        var name = Arg.OptionalString(args, 0, "name") ?? throw new PythonArgumentException("unsetenv: name required");
        CheckEnvironmentName(name);
        _backend.RemoveEnvironmentVariable(name);

        return Py.NewNone();
    }

    private static nint GetPid(BridgeArgs args) => Py.NewInt(System.Environment.ProcessId);

    private nint GetPPid(BridgeArgs args)
    {
        PosixLog.EmulatedParentPid(_backend.Compatibility);
        return Py.NewInt(1);
    }

    private nint Kill(BridgeArgs args)
    {
        var pid = Arg.Int(args, 0, "pid");
        var signal = Arg.Int(args, 1, "signal");
        if (pid == OwnPid && _backend.SignalSelf is { } signalSelf)
        {
            // The runtime signalling itself: emulated for the call (no host signal), as signal.raise_signal.
            return signalSelf(signal);
        }

        _backend.ChildProcesses.Signal(pid, signal);
        return Py.NewNone();
    }

    private static nint KillPg(BridgeArgs args) => throw ManagedBackend.Denied("sending signals to process groups denied: only the runtime's own child processes can be signalled", ManagedBackend.CreateProcessKey);

    private nint WaitPid(BridgeArgs args)
    {
        var pid = Arg.Int(args, 0, "pid");
        var options = Arg.Int(args, 1, "options");
        var (childPid, status) = _backend.ChildProcesses.Wait(pid, noHang: (options & 1) != 0);
        return Py.Tuple(Py.NewInt(childPid), Py.NewInt(status));
    }

    private nint Wait(BridgeArgs args)
    {
        var (childPid, status) = _backend.ChildProcesses.Wait(-1, noHang: false);
        return Py.Tuple(Py.NewInt(childPid), Py.NewInt(status));
    }

    private nint SystemCall(BridgeArgs args)
    {
        SubprocessModule.CheckExecSize(args.Get("command"));
        var command = Arg.OptionalString(args, 0, "command") ?? throw new PythonArgumentException("system: command required");
        return Py.NewInt(_backend.ChildProcesses.System(command));
    }

    /// <summary><c>os._exit</c> ends the call like <c>sys.exit</c>; the host process never exits.</summary>
    private nint Exit(BridgeArgs args)
    {
        var code = Arg.Int(args, 0, "status");
        PosixLog.EmulatedExit(_backend.Compatibility, code);
        var exitArgs = Py.Tuple(Py.NewInt(code));
        var exc = Py.Call(LibPython.ExcSystemExit, exitArgs, 0, "SystemExit");
        LibPython.Py_DecRef(exitArgs);
        if (exc != 0)
        {
            LibPython.PyErr_SetObject(LibPython.ExcSystemExit, exc);
            LibPython.Py_DecRef(exc);
        }

        return 0;
    }

    private static nint Abort(BridgeArgs args) => throw new UnsupportedOperationException("os.abort is not supported by the managed backend");
}
