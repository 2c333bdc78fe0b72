using System.Runtime.InteropServices;
using System.Text;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Bridge;

/// <summary>A .NET implementation of a Python builtin function. Returns a new reference, or 0 with a Python error set.</summary>
internal delegate nint BridgeHandler(BridgeArgs args);

/// <summary>
/// Makes C-level builtin functions (<c>builtin_function_or_method</c>) whose body is .NET code:
/// a <c>PyMethodDef</c> in unmanaged memory points at one <see cref="UnmanagedCallersOnlyAttribute"/>
/// trampoline and <c>__self__</c> is a plain int naming the handler. Python sees no .NET object:
/// there is nothing to walk from such a function to the host.
/// </summary>
internal static unsafe class BridgeFunctions
{
    private const int MethFastCall = 0x80;
    private const int MethKeywords = 0x02;

    private static readonly List<BridgeHandler> Handlers = [];
    private static readonly List<string> Names = [];
    private static readonly Lock Gate = new();

    /// <summary>Called for a .NET exception escaping a handler; returns 0 after setting the Python error.</summary>
    public static Func<Exception, string, nint> ExceptionMapper { get; set; } = static (e, name) => Py.SetError(LibPython.ExcRuntimeError, $"{name}: {e.Message}");

    /// <summary>Creates a builtin function named <paramref name="name"/> (new reference).</summary>
    public static nint Create(string name, BridgeHandler handler, string? doc = null)
    {
        int index;
        lock (Gate)
        {
            index = Handlers.Count;
            Handlers.Add(handler);
            Names.Add(name);
        }

        // The method definition must live as long as the function objects: for the process.
        var def = (nint*)NativeMemory.AllocZeroed(32);
        def[0] = Utf8(name);
        def[1] = (nint)(delegate* unmanaged<nint, nint*, nint, nint, nint>)&Trampoline;
        *(int*)&def[2] = MethFastCall | MethKeywords;
        def[3] = doc is null ? 0 : Utf8(doc);
        var self = LibPython.PyLong_FromLongLong(index);
        var function = LibPython.PyCFunction_NewEx((nint)def, self, 0);
        LibPython.Py_DecRef(self);
        return function;
    }

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
        var index = -1;
        try
        {
            index = (int)LibPython.PyLong_AsLongLong(self);
            var handler = Handlers[index];
            var count = (int)(nargs & ~(1L << 63));
            return handler(new BridgeArgs(args, count, kwNames));
        }
        catch (Exception e)
        {
            try
            {
                if (LibPython.PyErr_Occurred() != 0)
                {
                    return 0;
                }

                return ExceptionMapper(e, index >= 0 && index < Names.Count ? Names[index] : "bridge");
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
}
