using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Hardening;
using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Internal.Managed;

/// <summary>
/// The audit hook's decisions (a C# hook registered before the interpreter starts; it reads only
/// the event name and never calls back into Python objects).
/// </summary>
internal sealed partial class ManagedBackend
{
    public AuditDecision OnAuditEvent(string eventName, nint args)
    {
        switch (eventName)
        {
            case "open":
                // Nothing of the managed layer opens host files through Python: any real open is a way around it.
                // CPython's own C code rereads a source line for a SyntaxError (_Py_fopen_obj, mode "rb", no flags): refused
                // too, but not reported, since no code asked for it and the error is the user's syntax.
                return IsSourceLineLookup(args) ? new AuditDecision(LibPython.ExcPermissionError, "opening host files directly denied") : Deny("opening host files directly", IOKey);
            case "gc.get_objects" or "gc.get_referrers" or "gc.get_referents":
                return Deny($"{eventName} (walking the interpreter's objects)", null);
            case "sys.addaudithook" or "sys._current_frames" or "sys._current_exceptions" or "sys.settrace" or "sys.setprofile":
                return Deny(eventName, null);
            case "code.__new__":
                // With NativeAccess, ctypes can already rewrite any memory: refusing code objects (code.replace, as numpy uses) protects nothing then.
                // Without it, code.replace may still change metadata that no bytecode indexes (types.coroutine's co_flags).
                return Permissions.NativeAccess || CodeReplaceHardening.IsReplacingMetadata ? AuditDecision.Allow : Deny("constructing code objects", null);
            case "marshal.loads":
                return TrustedBytecode.IsTrusted(args) ? AuditDecision.Allow : Deny("unmarshalling data that is not the Python home's own bytecode", null);
            case "marshal.load":
                return Deny("marshal.load", null);
            case InterpreterSeal.Event:
                return Seal();
            case "cpython.PyInterpreterState_New" when InterpreterSeal.IsSealed:
                // A subinterpreter (Py_NewInterpreter, from native code such as _testcapi.run_in_subinterp or ctypes) would have
                // modules, hooks and thread states of its own, which the runtime neither tames nor tracks: ending its thread
                // state killed the host. The main interpreter is made before the seal, so only later ones are refused.
                return Deny("creating a subinterpreter", null);
        }

        if (eventName.StartsWith("ctypes.", StringComparison.Ordinal) && !Permissions.NativeAccess)
        {
            return Deny($"{eventName}", NativeAccessKey);
        }

        if (eventName.StartsWith("socket.", StringComparison.Ordinal) && !Permissions.HostSockets)
        {
            return Deny($"{eventName}", HostSocketsKey);
        }

        if (eventName is "os.fork" or "os.forkpty")
        {
            return new AuditDecision(LibPython.ExcNotImplementedError, "fork is not supported in an embedded runtime: it would clone the .NET host process");
        }

        return AuditDecision.Allow;
    }

    /// <summary>
    /// The end of start-up (announced by the isolation script, before any user code runs): seal the interpreter
    /// below Python. Once user code can run, the event is refused and changes nothing.
    /// </summary>
    private AuditDecision Seal()
    {
        if (TrustedBytecode.Enforcing || InterpreterSeal.IsSealed)
        {
            return Deny(InterpreterSeal.Event, null);
        }

        try
        {
            InterpreterSeal.Apply();
            return AuditDecision.Allow;
        }
        catch (InvalidOperationException e)
        {
            return new AuditDecision(LibPython.ExcRuntimeError, $"the managed backend could not seal the interpreter: {e.Message}");
        }
    }

    /// <summary>Whether an <c>open</c> event's arguments are those of <c>_Py_fopen_obj(path, "rb")</c>: (str, "r" or "rb", 0).</summary>
    private static unsafe bool IsSourceLineLookup(nint args)
    {
        if (args == 0 || Py.TypeOf(args) != LibPython.TupleType || *(nint*)(args + 16) != 3)
        {
            return false;
        }

        var mode = *(nint*)(args + 32);
        var flags = *(nint*)(args + 40);
        return Py.TypeOf(mode) == LibPython.UnicodeType && Py.ReadString(mode) is "r" or "rb"
            && Py.TypeOf(flags) == LibPython.LongType && LibPython.PyLong_AsLongLong(flags) == 0;
    }

    private AuditDecision Deny(string what, string? key)
    {
        var message = key is null
            ? $"{what} denied: not available in the managed backend"
            : $"{what} denied: {Key(key)} is {(key == IOKey ? Permissions.IO.ToString() : "false")}";
        OnPermissionDenied(what, key ?? "ManagedBackend", message);
        return new AuditDecision(LibPython.ExcPermissionError, message);
    }
}
