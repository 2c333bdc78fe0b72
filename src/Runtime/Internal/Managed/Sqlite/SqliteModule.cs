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

    /// <summary>Patches <paramref name="module"/> if it is an instance of <c>_sqlite3</c>.</summary>
    public static void PatchIfSqlite(ManagedBackend backend, nint module)
    {
        var name = Py.GetAttr(module, "__name__");
        if (name == 0)
        {
            LibPython.PyErr_Clear();
            return;
        }

        var text = Py.IsInstanceOfFlag(name, Py.TpFlagsUnicodeSubclass) ? Py.ReadString(name) : null;
        LibPython.Py_DecRef(name);
        if (text is null || text[(text.LastIndexOf('.') + 1)..] != "_sqlite3")
        {
            return;
        }

        var original = Py.GetAttr(module, "connect"); // kept for the life of the process, like every replaced original
        if (original == 0)
        {
            LibPython.PyErr_Clear();
            return;
        }

        // One function per module instance: each calls its own instance's connect (its own Connection type).
        var key = $"_sqlite3#{Interlocked.Increment(ref s_instances)}.connect";
        Py.SetAttr(module, "connect", backend.FunctionFor(key, BridgeSignature.Any, args => Connect(args, original)));
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
