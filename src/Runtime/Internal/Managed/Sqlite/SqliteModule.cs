using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Sqlite;

/// <summary>
/// Patches a freshly executed <c>_sqlite3</c> module: <c>connect</c> keeps its behaviour, and when the runtime's VFS
/// refused the database file, the <c>sqlite3.OperationalError</c> SQLite reports (<c>unable to open database file</c>)
/// also says what was refused and which key would allow it.
/// </summary>
internal static unsafe class SqliteModule
{
    private static int s_instances;

    /// <summary>
    /// Patches <paramref name="module"/> if it is an instance of <c>_sqlite3</c>, after checking that it uses the SQLite
    /// library the runtime configured (a connection it opens runs the runtime's per-connection set-up); the reason when not.
    /// </summary>
    public static string? PatchIfSqlite(ManagedBackend backend, nint module)
    {
        var name = Py.GetAttr(module, "__name__");
        if (name == 0)
        {
            LibPython.PyErr_Clear();
            return null;
        }

        var text = Py.IsInstanceOfFlag(name, Py.TpFlagsUnicodeSubclass) ? Py.ReadString(name) : null;
        LibPython.Py_DecRef(name);
        if (text is null || text[(text.LastIndexOf('.') + 1)..] != "_sqlite3")
        {
            return null;
        }

        var original = Py.GetAttr(module, "connect"); // kept for the life of the process, like every replaced original
        if (original == 0)
        {
            LibPython.PyErr_Clear();
            return "_sqlite3 has no connect";
        }

        if (!UsesTheRuntimesLibrary(original))
        {
            return "_sqlite3 does not use the SQLite library the runtime configured (is it linked statically?)";
        }

        // One function per module instance: each calls its own instance's connect (its own Connection type).
        var key = $"_sqlite3#{Interlocked.Increment(ref s_instances)}.connect";
        Py.SetAttr(module, "connect", backend.FunctionFor(key, BridgeSignature.Any, args => Connect(args, original)));
        return null;
    }

    /// <summary>Opens and closes a <c>:memory:</c> connection through <paramref name="connect"/>, on this thread.</summary>
    private static bool UsesTheRuntimesLibrary(nint connect)
    {
        SqliteVfs.TakeConnectionSeen();
        var arguments = Py.Tuple(Py.NewString(":memory:"));
        var connection = Py.Call(connect, arguments, 0, "_sqlite3.connect");
        LibPython.Py_DecRef(arguments);
        if (connection == 0)
        {
            LibPython.PyErr_Clear();
            return false;
        }

        var seen = SqliteVfs.TakeConnectionSeen();
        var close = Py.GetAttr(connection, "close");
        var empty = LibPython.PyTuple_New(0);
        var closed = close == 0 || empty == 0 ? 0 : Py.Call(close, empty, 0, "Connection.close");
        if (closed == 0)
        {
            LibPython.PyErr_Clear();
        }

        foreach (var o in (ReadOnlySpan<nint>)[closed, empty, close, connection])
        {
            LibPython.Py_DecRef(o);
        }

        return seen;
    }

    private static nint Connect(BridgeArgs args, nint original)
    {
        SqliteVfs.TakeRefusal();
        var result = args.Forward(original);
        if (result == 0 && SqliteVfs.TakeRefusal() is { } refusal)
        {
            AppendToMessage(refusal);
        }

        return result;
    }

    /// <summary>Adds <paramref name="refusal"/> to the message of the exception being raised, keeping its type and attributes.</summary>
    private static void AppendToMessage(string refusal)
    {
        nint type, value, traceback;
        LibPython.PyErr_Fetch(&type, &value, &traceback);
        LibPython.PyErr_NormalizeException(&type, &value, &traceback);
        if (value != 0)
        {
            var args = Py.GetAttr(value, "args");
            string? message = null;
            var size = (delegate* unmanaged<nint, nint>)LibPython.Export("PyTuple_Size");
            var item = (delegate* unmanaged<nint, nint, nint>)LibPython.Export("PyTuple_GetItem");
            if (args != 0 && Py.IsInstanceOfFlag(args, Py.TpFlagsTupleSubclass) && size(args) == 1)
            {
                var first = item(args, 0);
                message = Py.IsInstanceOfFlag(first, Py.TpFlagsUnicodeSubclass) ? Py.ReadString(first) : null;
            }

            LibPython.Py_DecRef(args);
            LibPython.PyErr_Clear();
            if (message is not null)
            {
                var replaced = Py.Tuple(Py.NewString(message + ": " + refusal));
                if (replaced == 0 || Py.SetAttr(value, "args", replaced) < 0)
                {
                    LibPython.PyErr_Clear();
                }

                LibPython.Py_DecRef(replaced);
            }
        }

        LibPython.PyErr_Restore(type, value, traceback);
    }
}
