using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Hardening;

/// <summary>
/// Replaces the C function behind a built-in function in its <c>PyMethodDef</c>. Every function object
/// made from that definition — the module's, CPython's saved copy of a single-phase module, fresh
/// <c>_imp.create_builtin</c> instances, references Python code kept earlier — then runs the replacement:
/// there is no original left to find. The definitions live in the interpreter library's data and are patched
/// once, with the GIL held, before user code runs. The record of originals is process-wide for the same reason.
/// </summary>
internal static unsafe class MethodDefinitions
{
    public const int MethVarArgs = 0x1;
    public const int MethKeywords = 0x2;
    public const int MethNoArgs = 0x4;
    public const int MethO = 0x8;
    public const int MethFastCall = 0x80;

    // PyCFunctionObject: PyObject_HEAD (16 bytes), then m_ml. PyMethodDef: ml_name, ml_meth, ml_flags, ml_doc (32 bytes).
    private const int FunctionDefinitionOffset = 16;
    private const int MethodOffset = 8;
    private const int FlagsOffset = 16;
    private const int DefinitionSize = 32;
    private const int ModuleDefMethodsOffset = 64;

    private static readonly Dictionary<nint, nint> OriginalByDefinition = [];
    private static readonly HashSet<nint> Replacements = [];

    /// <summary>Gets the method definition of a built-in function object, or 0 when it is not one.</summary>
    public static nint Of(nint function)
    {
        if (function == 0 || Py.TypeName(function) != "builtin_function_or_method")
        {
            return 0;
        }

        return *(nint*)(function + FunctionDefinitionOffset);
    }

    /// <summary>Finds a function's definition in a module definition's method table, or 0.</summary>
    public static nint Find(nint moduleDefinition, string name)
    {
        var methods = *(nint*)(moduleDefinition + ModuleDefMethodsOffset);
        for (var p = methods; p != 0 && *(nint*)p != 0; p += DefinitionSize)
        {
            if (Marshal.PtrToStringUTF8(*(nint*)p) == name)
            {
                return p;
            }
        }

        return 0;
    }

    public static int Flags(nint definition) => *(int*)(definition + FlagsOffset);

    public static string Name(nint definition) => Marshal.PtrToStringUTF8(*(nint*)definition) ?? string.Empty;

    /// <summary>Points <paramref name="definition"/> at <paramref name="replacement"/>; returns the original C function (kept for the process).</summary>
    /// <exception cref="InvalidOperationException">The definition's calling convention is not <paramref name="expectedFlags"/>.</exception>
    public static nint Replace(nint definition, int expectedFlags, nint replacement)
    {
        lock (OriginalByDefinition)
        {
            if (OriginalByDefinition.TryGetValue(definition, out var original))
            {
                return original;
            }

            // A different calling convention means a CPython this code was not written for: refuse to start.
            var flags = Flags(definition) & ~0x30; // METH_CLASS / METH_STATIC do not change the C signature
            if (flags != expectedFlags)
            {
                throw new InvalidOperationException($"{Name(definition)} has calling convention 0x{flags:x}, expected 0x{expectedFlags:x}");
            }

            original = *(nint*)(definition + MethodOffset);
            OriginalByDefinition[definition] = original;
            Replacements.Add(replacement);
            *(nint*)(definition + MethodOffset) = replacement;
            return original;
        }
    }

    /// <summary>Whether <paramref name="function"/> runs a replacement installed here.</summary>
    public static bool IsHardened(nint function)
    {
        var definition = Of(function);
        if (definition == 0)
        {
            return false;
        }

        lock (OriginalByDefinition)
        {
            return Replacements.Contains(*(nint*)(definition + MethodOffset));
        }
    }

    /// <summary>Sets <c>io.UnsupportedOperation</c> (an OSError) naming <paramref name="function"/>; returns 0.</summary>
    public static nint Unsupported(string function, string why)
    {
        var backend = PythonInterpreter.Backend as ManagedBackend;
        var message = $"{function} is not supported by the managed backend: {why}";
        if (backend is not null)
        {
            CompatibilityLog.Unsupported(backend.Compatibility, message);
        }

        return Py.SetError(ManagedErrors.UnsupportedOperationClass != 0 ? ManagedErrors.UnsupportedOperationClass : LibPython.ExcOSError, message);
    }
}
