using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Interception;

/// <summary>
/// Replaces the exported <c>PyImport_Inittab</c> before the interpreter starts: modules that must
/// not exist are left out (so neither <c>import</c> nor <c>_imp.create_builtin</c> can make them),
/// and the init functions of the modules that must be tamed are wrapped so that every instance —
/// the first, fresh <c>_imp.create_builtin</c> copies and re-imports — is patched by
/// <see cref="ModulePatcher"/> before Python code sees it. For a multi-phase module the wrapper
/// appends one <c>Py_mod_exec</c> slot to its <c>PyModuleDef</c>; for a single-phase module it
/// patches the module object the init function returned (CPython copies that state for re-imports).
/// Its fields are process-wide because the table, the init functions and the module definitions are
/// CPython's own, one set per process; the patch itself is the active backend's.
/// </summary>
internal static unsafe class Inittab
{
    private const int EntrySize = 16;
    private const int ModuleDefSlotsOffset = 72;
    private const int PyModExec = 2;

    private static readonly string[] WrappedOrder = ["posix", "_io", "time", "_thread", "_signal", "_datetime", "_imp", "select", "_socket", "fcntl"];
    private static readonly nint[] Originals = new nint[WrappedOrder.Length];
    private static readonly HashSet<nint> PatchedDefinitions = [];
    private static readonly Dictionary<string, nint> OriginalMethodTables = [];
    private static readonly Dictionary<string, List<string>> OriginalMethodNames = [];
    private const int ModuleDefMethodsOffset = 64;
    private const int MethodDefSize = 32;
    private static nint s_moduleDefType;

    /// <summary>Gets the names of built-in modules left out of the table.</summary>
    public static IReadOnlyCollection<string> Dropped { get; private set; } = [];

    /// <summary>Filters and wraps the table. <paramref name="keep"/> decides, for each built-in name, whether it exists.</summary>
    public static void Install(Func<string, bool> keep)
    {
        s_moduleDefType = LibPython.Export("PyModuleDef_Type");
        var variable = (nint*)LibPython.Export("PyImport_Inittab");
        var original = *variable;
        var entries = new List<(nint Name, nint Init)>();
        var dropped = new List<string>();
        for (var p = original; *(nint*)p != 0; p += EntrySize)
        {
            var namePtr = *(nint*)p;
            var init = *(nint*)(p + 8);
            var name = Marshal.PtrToStringUTF8(namePtr)!;
            if (!keep(name))
            {
                dropped.Add(name);
                continue;
            }

            var index = Array.IndexOf(WrappedOrder, name);
            if (index >= 0)
            {
                Originals[index] = init;
                init = WrapperFor(index);
            }

            entries.Add((namePtr, init));
        }

        var table = (nint*)NativeMemory.AllocZeroed((nuint)((entries.Count + 1) * EntrySize));
        for (var i = 0; i < entries.Count; i++)
        {
            table[i * 2] = entries[i].Name;
            table[(i * 2) + 1] = entries[i].Init;
        }

        *variable = (nint)table;
        Dropped = dropped;
    }

    private static nint WrapperFor(int index) => index switch
    {
        0 => (nint)(delegate* unmanaged<nint>)&Init0,
        1 => (nint)(delegate* unmanaged<nint>)&Init1,
        2 => (nint)(delegate* unmanaged<nint>)&Init2,
        3 => (nint)(delegate* unmanaged<nint>)&Init3,
        4 => (nint)(delegate* unmanaged<nint>)&Init4,
        5 => (nint)(delegate* unmanaged<nint>)&Init5,
        6 => (nint)(delegate* unmanaged<nint>)&Init6,
        7 => (nint)(delegate* unmanaged<nint>)&Init7,
        8 => (nint)(delegate* unmanaged<nint>)&Init8,
        9 => (nint)(delegate* unmanaged<nint>)&Init9,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    [UnmanagedCallersOnly]
    private static nint Init0() => Wrap(0);

    [UnmanagedCallersOnly]
    private static nint Init1() => Wrap(1);

    [UnmanagedCallersOnly]
    private static nint Init2() => Wrap(2);

    [UnmanagedCallersOnly]
    private static nint Init3() => Wrap(3);

    [UnmanagedCallersOnly]
    private static nint Init4() => Wrap(4);

    [UnmanagedCallersOnly]
    private static nint Init5() => Wrap(5);

    [UnmanagedCallersOnly]
    private static nint Init6() => Wrap(6);

    [UnmanagedCallersOnly]
    private static nint Init7() => Wrap(7);

    [UnmanagedCallersOnly]
    private static nint Init8() => Wrap(8);

    [UnmanagedCallersOnly]
    private static nint Init9() => Wrap(9);

    private static nint Wrap(int index)
    {
        try
        {
            var result = ((delegate* unmanaged<nint>)Originals[index])();
            if (result == 0)
            {
                return 0;
            }

            if (Py.TypeOf(result) == s_moduleDefType)
            {
                AppendExecSlot(WrappedOrder[index], result);
                return result;
            }

            // Single-phase module: patch it now, before CPython keeps a copy for re-imports.
            if (Patch(WrappedOrder[index], result) < 0)
            {
                LibPython.Py_DecRef(result);
                return 0;
            }

            return result;
        }
        catch (Exception e)
        {
            return Py.SetError(LibPython.ExcImportError, $"module {WrappedOrder[index]} could not be prepared by the managed backend: {e.Message}");
        }
    }

    /// <summary>Patches a module instance with the functions of the backend the interpreter serves (the C callbacks cannot capture one).</summary>
    private static int Patch(string name, nint module)
    {
        if (PythonInterpreter.Backend is not ManagedBackend backend)
        {
            Py.SetError(LibPython.ExcImportError, $"module {name} could not be prepared: the managed backend is not active");
            return -1;
        }

        return backend.Modules.Patch(name, module);
    }

    /// <summary>Gets the names of the functions a wrapped module's definition declared (before filtering).</summary>
    public static IReadOnlyList<string> MethodNames(string module)
    {
        lock (PatchedDefinitions)
        {
            return OriginalMethodNames.TryGetValue(module, out var names) ? names : [];
        }
    }

    /// <summary>Gets the original <c>PyMethodDef</c> of a function of a wrapped module, or 0.</summary>
    public static nint OriginalMethod(string module, string name)
    {
        lock (PatchedDefinitions)
        {
            if (!OriginalMethodTables.TryGetValue(module, out var table))
            {
                return 0;
            }

            for (var p = table; *(nint*)p != 0; p += MethodDefSize)
            {
                if (Marshal.PtrToStringUTF8(*(nint*)p) == name)
                {
                    return p;
                }
            }

            return 0;
        }
    }

    /// <summary>
    /// Keeps only the functions the module may expose as they are in the definition's method table
    /// (CPython adds them to every instance when it is created, before any exec slot runs, so
    /// <c>_imp.create_builtin</c> alone would otherwise hand out the originals), and appends the patching exec slot.
    /// </summary>
    private static void AppendExecSlot(string moduleName, nint definition)
    {
        lock (PatchedDefinitions)
        {
            if (!PatchedDefinitions.Add(definition))
            {
                return;
            }

            var methods = *(nint*)(definition + ModuleDefMethodsOffset);
            var names = new List<string>();
            var kept = new List<nint>();
            if (methods != 0)
            {
                for (var p = methods; *(nint*)p != 0; p += MethodDefSize)
                {
                    var name = Marshal.PtrToStringUTF8(*(nint*)p)!;
                    names.Add(name);
                    if (ModulePatcher.KeepsOriginal(moduleName, name))
                    {
                        kept.Add(p);
                    }
                }
            }

            OriginalMethodTables[moduleName] = methods;
            OriginalMethodNames[moduleName] = names;
            var filtered = (byte*)NativeMemory.AllocZeroed((nuint)((kept.Count + 1) * MethodDefSize));
            for (var i = 0; i < kept.Count; i++)
            {
                Buffer.MemoryCopy((void*)kept[i], filtered + (i * MethodDefSize), MethodDefSize, MethodDefSize);
            }

            *(nint*)(definition + ModuleDefMethodsOffset) = (nint)filtered;

            var slots = *(nint*)(definition + ModuleDefSlotsOffset);
            var count = 0;
            if (slots != 0)
            {
                while (*(int*)(slots + (count * 16)) != 0)
                {
                    count++;
                }
            }

            var extended = (byte*)NativeMemory.AllocZeroed((nuint)((count + 2) * 16));
            if (count > 0)
            {
                Buffer.MemoryCopy((void*)slots, extended, count * 16, count * 16);
            }

            *(int*)(extended + (count * 16)) = PyModExec;
            *(nint*)(extended + (count * 16) + 8) = (nint)(delegate* unmanaged<nint, int>)&ExecSlot;
            *(nint*)(definition + ModuleDefSlotsOffset) = (nint)extended;
        }
    }

    [UnmanagedCallersOnly]
    private static int ExecSlot(nint module)
    {
        try
        {
            var name = Marshal.PtrToStringUTF8(((delegate* unmanaged<nint, nint>)LibPython.Export("PyModule_GetName"))(module));
            return name is null ? -1 : Patch(name, module);
        }
        catch (Exception e)
        {
            Py.SetError(LibPython.ExcImportError, $"module could not be prepared by the managed backend: {e.Message}");
            return -1;
        }
    }
}
