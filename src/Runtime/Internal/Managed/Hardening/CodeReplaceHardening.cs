using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Hardening;

/// <summary>
/// Lets <c>code.replace</c> re-create a code object when only its metadata changes. The audit hook refuses
/// <c>code.__new__</c> (crafted bytecode, constants or names that the bytecode indexes out of range would
/// read and write the host's memory), but <c>types.coroutine</c> — and with it <c>asyncio</c> and
/// <c>unittest.mock</c> — marks a generator's code iterable with <c>code.replace(co_flags=...)</c>. The C
/// function behind <c>code.replace</c> is replaced (in its <c>PyMethodDef</c>, so every way to reach it runs
/// the check): a call whose keywords are all metadata, with values of the exact expected types, runs the
/// original with the audit event allowed on this thread; any other call runs the original as it is, and the
/// audit hook refuses it as before.
/// Its fields are process-wide: they hold CPython's code type and its original C function, replaced once per process.
/// </summary>
/// <remarks>
/// Metadata that no bytecode indexes: <c>co_name</c>, <c>co_qualname</c>, <c>co_filename</c> (strings),
/// <c>co_firstlineno</c> (an integer: line numbers are offsets from it), and <c>co_flags</c> when it differs
/// from the original only in <c>CO_ITERABLE_COROUTINE</c>. The line table is not metadata here: CPython
/// walks it without bounds checks when it reports line numbers.
/// </remarks>
internal static unsafe class CodeReplaceHardening
{
    /// <summary><c>CO_ITERABLE_COROUTINE</c>: a generator's code may be awaited (what <c>types.coroutine</c> sets).</summary>
    public const int IterableCoroutineFlag = 0x100;

    // PyMethodDescrObject: PyObject_HEAD (16), d_type, d_name, d_qualname, then d_method (PyMethodDef*).
    private const int DescriptorMethodOffset = 40;

    #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_

    [ThreadStatic]
    private static bool t_replacingMetadata;

    #pragma warning restore IDE1006

    // CPython's own code_replace, kept for the process like the definition it came from.
    private static delegate* unmanaged<nint, nint*, nint, nint, nint> s_original;
    private static nint s_codeType;
    private static nint s_tupleType;

    /// <summary>Gets a value indicating whether this thread is inside a metadata-only <c>code.replace</c>.</summary>
    public static bool IsReplacingMetadata => t_replacingMetadata;

    /// <summary>Replaces the C function of <c>code.replace</c>. Throws when CPython's layout is not the expected one.</summary>
    public static void Apply()
    {
        s_codeType = LibPython.Export("PyCode_Type");
        s_tupleType = LibPython.Export("PyTuple_Type");
        var descriptor = Py.GetAttr(s_codeType, "replace");
        if (descriptor == 0)
        {
            LibPython.PyErr_Clear();
            throw new InvalidOperationException("code.replace was not found");
        }

        try
        {
            if (Py.TypeName(descriptor) != "method_descriptor")
            {
                throw new InvalidOperationException($"code.replace is a {Py.TypeName(descriptor)}, not a method descriptor");
            }

            var definition = *(nint*)(descriptor + DescriptorMethodOffset);
            if (definition == 0 || MethodDefinitions.Name(definition) != "replace")
            {
                throw new InvalidOperationException("code.replace has no method definition");
            }

            s_original = (delegate* unmanaged<nint, nint*, nint, nint, nint>)MethodDefinitions.Replace(
                definition,
                MethodDefinitions.MethFastCall | MethodDefinitions.MethKeywords,
                (nint)(delegate* unmanaged<nint, nint*, nint, nint, nint>)&Replace);
        }
        finally
        {
            LibPython.Py_DecRef(descriptor);
        }
    }

    /// <summary>
    /// Whether a call of <c>code.replace</c> changes only metadata. Reads the keyword names and values with exact
    /// type checks and calls no Python code. <paramref name="currentFlags"/> is the code object's own <c>co_flags</c>.
    /// </summary>
    internal static bool IsMetadataOnly(ReadOnlySpan<string?> names, ReadOnlySpan<nint> values, long currentFlags)
    {
        if (names.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < names.Length; i++)
        {
            var value = values[i];
            var allowed = names[i] switch
            {
                "co_name" or "co_qualname" or "co_filename" => Py.TypeOf(value) == LibPython.UnicodeType,
                "co_firstlineno" => Py.TypeOf(value) == LibPython.LongType && InRange(value, 1, int.MaxValue),
                "co_flags" => Py.TypeOf(value) == LibPython.LongType && InRange(value, 0, int.MaxValue)
                    && ((LibPython.PyLong_AsLongLong(value) ^ currentFlags) & ~(long)IterableCoroutineFlag) == 0,
                _ => false,
            };

            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }

    private static bool InRange(nint integer, long min, long max)
    {
        int overflow;
        var value = LibPython.PyLong_AsLongLongAndOverflow(integer, &overflow);
        if (value == -1 && LibPython.PyErr_Occurred() != 0)
        {
            LibPython.PyErr_Clear();
            return false;
        }

        return overflow == 0 && value >= min && value <= max;
    }

    [UnmanagedCallersOnly]
    private static nint Replace(nint self, nint* args, nint nargs, nint kwNames)
    {
        var positional = nargs & ~(1L << 63);
        if (positional != 0 || kwNames == 0 || self == 0 || Py.TypeOf(self) != s_codeType)
        {
            return s_original(self, args, nargs, kwNames);
        }

        bool metadataOnly;
        try
        {
            metadataOnly = IsMetadataOnly(self, args, kwNames);
        }
        catch (Exception)
        {
            metadataOnly = false;
        }

        if (!metadataOnly)
        {
            return s_original(self, args, nargs, kwNames);
        }

        t_replacingMetadata = true;
        try
        {
            return s_original(self, args, nargs, kwNames);
        }
        finally
        {
            t_replacingMetadata = false;
        }
    }

    private static bool IsMetadataOnly(nint self, nint* args, nint kwNames)
    {
        if (Py.TypeOf(kwNames) != s_tupleType)
        {
            return false;
        }

        var count = (int)*(nint*)(kwNames + 16); // ob_size of the keyword-names tuple
        if (count is <= 0 or > 8)
        {
            return false;
        }

        var names = new string?[count];
        var values = new nint[count];
        for (var i = 0; i < count; i++)
        {
            var key = *(nint*)(kwNames + 24 + (i * 8)); // ob_item[i]
            names[i] = Py.TypeOf(key) == LibPython.UnicodeType ? Py.ReadString(key) : null;
            values[i] = args[i];
        }

        var flagsObject = Py.GetAttr(self, "co_flags");
        if (flagsObject == 0)
        {
            LibPython.PyErr_Clear();
            return false;
        }

        try
        {
            return Py.TypeOf(flagsObject) == LibPython.LongType && IsMetadataOnly(names, values, LibPython.PyLong_AsLongLong(flagsObject));
        }
        finally
        {
            LibPython.Py_DecRef(flagsObject);
        }
    }
}
