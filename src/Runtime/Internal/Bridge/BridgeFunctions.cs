using System.Runtime.InteropServices;
using System.Text;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Bridge;

/// <summary>A .NET implementation of a Python builtin function. Returns a new reference, or 0 with a Python error set.</summary>
internal delegate nint BridgeHandler(BridgeArgs args);

/// <summary>Sets the Python error for a .NET exception that escaped the handler of <paramref name="operation"/>; returns 0.</summary>
internal delegate nint BridgeExceptionMapper(Exception exception, string operation);

/// <summary>
/// Makes C-level builtin functions (<c>builtin_function_or_method</c>) whose body is .NET code:
/// a <c>PyMethodDef</c> in unmanaged memory points at one <see cref="UnmanagedCallersOnlyAttribute"/>
/// trampoline and <c>__self__</c> is a plain int naming the handler. Python sees no .NET object:
/// there is nothing to walk from such a function to the host. The table of handlers is process-wide
/// because the function objects it serves live as long as the interpreter, which is the process's.
/// </summary>
internal static unsafe class BridgeFunctions
{
    private const int MethFastCall = 0x80;
    private const int MethKeywords = 0x02;

    private static readonly Lock Gate = new();

    /// <summary>The handlers by index, replaced as a whole when one is added: a call reads it without taking a lock.</summary>
    private static Entry[] s_entries = [];

    /// <summary>Creates a builtin function named <paramref name="name"/> (new reference).</summary>
    /// <param name="name">The function's <c>__name__</c>, also the operation named in errors.</param>
    /// <param name="signature">Its parameters: every call is bound to them before <paramref name="handler"/> runs.</param>
    /// <param name="handler">The .NET implementation.</param>
    /// <param name="mapErrors">Sets the Python error for a .NET exception escaping <paramref name="handler"/>; <see langword="null"/> raises <c>RuntimeError</c>.</param>
    /// <param name="doc">The function's <c>__doc__</c>, or <see langword="null"/>.</param>
    /// <param name="module">The function's <c>__module__</c> (the module it stands in), or <see langword="null"/>.</param>
    public static nint Create(string name, BridgeSignature signature, BridgeHandler handler, BridgeExceptionMapper? mapErrors = null, string? doc = null, string? module = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        int index;
        lock (Gate)
        {
            var entries = s_entries;
            index = entries.Length;
            var grown = new Entry[index + 1];
            entries.CopyTo(grown, 0);
            grown[index] = new Entry(handler, signature, name, mapErrors ?? RuntimeErrorFor);
            Volatile.Write(ref s_entries, grown);
        }

        // The method definition must live as long as the function objects: for the process.
        var def = (nint*)NativeMemory.AllocZeroed(32);
        def[0] = Utf8(name);
        def[1] = (nint)(delegate* unmanaged<nint, nint*, nint, nint, nint>)&Trampoline;
        *(int*)&def[2] = MethFastCall | MethKeywords;
        def[3] = Utf8($"{name}({signature.Text})\n--\n\n{doc}"); // the form CPython reads __text_signature__ from
        var self = LibPython.PyLong_FromLongLong(index);
        var moduleName = module is null ? 0 : Py.NewString(module);
        var function = LibPython.PyCFunction_NewEx((nint)def, self, moduleName);
        LibPython.Py_DecRef(self);
        LibPython.Py_DecRef(moduleName);
        return function;
    }

    private static nint RuntimeErrorFor(Exception exception, string operation) => Py.SetError(LibPython.ExcRuntimeError, $"{operation}: {exception.Message}");

    private static nint Utf8(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s + "\0");
        var p = (nint)NativeMemory.Alloc((nuint)bytes.Length);
        Marshal.Copy(bytes, 0, p, bytes.Length);
        return p;
    }

    [UnmanagedCallersOnly]
    private static nint Trampoline(nint self, nint* args, nint nargs, nint kwNames)
    {
        // Read before the try block: a C-API call inside one costs a stub and a helper call on each side.
        var index = (int)LibPython.PyLong_AsLongLong(self);
        try
        {
            var (handler, signature, name, _) = Volatile.Read(ref s_entries)[index];

            // Bound before the handler runs: it sees declared parameters only, each one present unless optional.
            var count = (int)(nargs & ~(1L << 63));
            Span<nint> slots = stackalloc nint[signature.Count];
            slots.Clear();
            return signature.Bind(name, args, count, kwNames, slots)
                ? handler(new BridgeArgs(name, signature, args, count, kwNames, slots))
                : 0;
        }
        catch (Exception e)
        {
            try
            {
                if (LibPython.PyErr_Occurred() != 0)
                {
                    return 0;
                }

                var entries = Volatile.Read(ref s_entries);
                return index >= 0 && index < entries.Length ? entries[index].Mapper(e, entries[index].Name) : RuntimeErrorFor(e, "bridge");
            }
            catch (Exception)
            {
                return Py.SetError(LibPython.ExcRuntimeError, "internal error in the host bridge");
            }
        }
    }

    /// <summary>Whether <paramref name="function"/> is a builtin made by <see cref="Create"/> (its <c>ml_meth</c> is the trampoline).</summary>
    public static bool IsBridge(nint function)
    {
        // PyCFunctionObject: PyObject_HEAD (16), m_ml (PyMethodDef*).
        if (Py.TypeName(function) != "builtin_function_or_method")
        {
            return false;
        }

        var def = *(nint*)(function + 16);
        return def != 0 && *(nint*)(def + 8) == (nint)(delegate* unmanaged<nint, nint*, nint, nint, nint>)&Trampoline;
    }

    private readonly record struct Entry(BridgeHandler Handler, BridgeSignature Signature, string Name, BridgeExceptionMapper Mapper);
}
