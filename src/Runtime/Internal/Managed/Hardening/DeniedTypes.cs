using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Internal.Managed.Hardening;

/// <summary>
/// Makes the C types that reach the OS on their own (<see cref="TypeClassification.Denied"/>) unusable below Python,
/// and refuses the C methods of managed types whose instances could predate the runtime (<see cref="TypeClassification.MethodsRefused"/>).
/// Removing a name from a module does not remove its type: <c>object.__subclasses__()</c> still hands out
/// <c>select.epoll</c> with CPython's methods (<c>epoll.fromfd(n).close()</c> closes any host descriptor). For each
/// such type, its constructor (<c>tp_new</c>) refuses, and every C method of its method table (<c>fromfd</c>-style
/// class methods included) is pointed at a refusal. The method tables are static data shared by every copy of a
/// heap type (<c>_imp.create_builtin</c> makes new ones), so a method refused once is refused in all of them; each
/// new copy gets its own <c>tp_new</c>, which <see cref="Apply"/> refuses when the owning module is created
/// (the wrapped modules' patch, <see cref="ModulePatcher"/>) and once when the runtime starts.
/// </summary>
internal static unsafe class DeniedTypes
{
    private const int TpNewOffset = 312;
    private const int TpMethodsOffset = 232;
    private const int TpBaseOffset = 256;
    private const int TpDictOffset = 264;
    private const int MethodDefSize = 32;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint RefusedMethod(nint self, nint args);

    private static readonly Dictionary<nint, string> Hardened = [];
    private static readonly HashSet<string> Allowed = [];
    private static readonly List<RefusedMethod> Refusals = [];

    /// <summary>Leaves a type of <see cref="TypeClassification.Denied"/> usable: the permissions allow what it reaches (the process's one backend decides, before any module is made).</summary>
    /// <param name="name">The type's <c>module.qualname</c>.</param>
    public static void Allow(string name)
    {
        lock (Hardened)
        {
            Allowed.Add(name);
        }
    }

    private static bool IsAllowed(string name)
    {
        lock (Hardened)
        {
            return Allowed.Contains(name);
        }
    }

    /// <summary>
    /// Finds every type named in <see cref="TypeClassification.Denied"/> (and, once the runtime has
    /// <paramref name="started"/>, in <see cref="TypeClassification.MethodsRefused"/>) that is not yet refused, and
    /// refuses it. Needs the GIL.
    /// </summary>
    public static void Apply(bool started)
    {
        var subclasses = Subclasses();
        var metatype = LibPython.Export("PyType_Type");
        var lists = new List<nint>();
        var seen = new HashSet<nint>();
        var todo = new Stack<nint>([LibPython.Export("PyBaseObject_Type")]);
        try
        {
            while (todo.TryPop(out var type))
            {
                if (!seen.Add(type))
                {
                    continue;
                }

                // C types are instances of type itself; reading a name through a Python metaclass could run Python code.
                var name = Py.TypeOf(type) == metatype ? QualifiedName(type) : null;
                if (name is not null && TypeClassification.Denied.TryGetValue(name, out var why) && !IsAllowed(name))
                {
                    Refuse(type, name, why, constructor: true);
                }
                else if (started && name is not null && TypeClassification.MethodsRefused.TryGetValue(name, out why))
                {
                    Refuse(type, name, why, constructor: false);
                }

                foreach (var s in Children(subclasses, type, lists))
                {
                    todo.Push(s);
                }
            }
        }
        finally
        {
            // The lists keep every type seen alive until the walk ends (__subclasses__ holds only weak references).
            foreach (var list in lists)
            {
                LibPython.Py_DecRef(list);
            }

            LibPython.Py_DecRef(subclasses);
        }
    }

    /// <summary>Whether <paramref name="type"/> cannot be constructed: its constructor is the refusal, or CPython has none.</summary>
    public static bool IsUnconstructible(nint type) =>
        *(nint*)(type + TpNewOffset) is var constructor && (constructor == 0 || constructor == (nint)(delegate* unmanaged<nint, nint, nint, nint>)&RefusedNew);

    /// <summary>
    /// Refuses one type. Decided from the type's own state, never from a record of addresses already seen: a refused
    /// type that was freed (a dropped fresh module, a Python class named like a denied type) leaves its address to
    /// the next type allocated there.
    /// </summary>
    private static void Refuse(nint type, string name, string why, bool constructor)
    {
        lock (Hardened)
        {
            Hardened[type] = name;
        }

        // A type CPython already refuses to instantiate (Py_TPFLAGS_DISALLOW_INSTANTIATION) keeps its TypeError.
        if (constructor && !IsUnconstructible(type))
        {
            *(nint*)(type + TpNewOffset) = (nint)(delegate* unmanaged<nint, nint, nint, nint>)&RefusedNew;
        }

        for (var def = *(nint*)(type + TpMethodsOffset); def != 0 && *(nint*)def != 0; def += MethodDefSize)
        {
            if (TypeClassification.HarmlessMethods.Contains(MethodDefinitions.Name(def)) || MethodDefinitions.IsReplaced(def))
            {
                continue;
            }

            var qualified = name + "." + MethodDefinitions.Name(def);
            RefusedMethod refusal = (_, _) =>
            {
                try
                {
                    return MethodDefinitions.Unsupported(qualified, why);
                }
                catch (Exception)
                {
                    return Py.SetError(LibPython.ExcOSError, qualified + " is not supported by the managed backend");
                }
            };
            lock (Refusals)
            {
                Refusals.Add(refusal); // the function pointer lives as long as the delegate: for the process
            }

            MethodDefinitions.Replace(def, MethodDefinitions.Flags(def) & ~0x30, Marshal.GetFunctionPointerForDelegate(refusal));
        }

        LibPython.PyType_Modified(type);
    }

    [UnmanagedCallersOnly]
    private static nint RefusedNew(nint type, nint args, nint kwargs)
    {
        try
        {
            // A subclass inherits the refusal: name the refused base.
            for (var t = type; t != 0; t = *(nint*)(t + TpBaseOffset))
            {
                lock (Hardened)
                {
                    if (Hardened.TryGetValue(t, out var name) && TypeClassification.Denied.TryGetValue(name, out var why))
                    {
                        return MethodDefinitions.Unsupported(name, why);
                    }
                }
            }

            return MethodDefinitions.Unsupported(Py.TypeName(type), "its instances reach the OS below Python");
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcOSError, "this type is not supported by the managed backend");
        }
    }

    /// <summary><c>module.qualname</c>, as Python code and the completeness test name the type; null when unreadable.</summary>
    private static string? QualifiedName(nint type)
    {
        var module = Py.GetAttr(type, "__module__");
        var qualname = Py.GetAttr(type, "__qualname__");
        try
        {
            var m = module != 0 ? Py.ReadString(module) : null;
            var q = qualname != 0 ? Py.ReadString(qualname) : null;
            return m is null || q is null ? null : m + "." + q;
        }
        finally
        {
            LibPython.PyErr_Clear();
            LibPython.Py_DecRef(module);
            LibPython.Py_DecRef(qualname);
        }
    }

    /// <summary>The unbound <c>type.__subclasses__</c>, which lists the subclasses of any type, metatypes included.</summary>
    private static nint Subclasses()
    {
        var dict = *(nint*)(LibPython.Export("PyType_Type") + TpDictOffset);
        fixed (byte* key = "__subclasses__\0"u8)
        {
            var descriptor = LibPython.PyDict_GetItemString(dict, key);
            if (descriptor == 0)
            {
                throw new InvalidOperationException("type.__subclasses__ was not found");
            }

            LibPython.Py_IncRef(descriptor);
            return descriptor;
        }
    }

    private static List<nint> Children(nint subclasses, nint type, List<nint> lists)
    {
        var tuple = Py.Tuple(Borrowed(type));
        var list = LibPython.PyObject_Call(subclasses, tuple, 0);
        LibPython.Py_DecRef(tuple);
        if (list == 0)
        {
            LibPython.PyErr_Clear();
            return [];
        }

        lists.Add(list);
        var result = new List<nint>();
        var count = *(nint*)(list + 16);
        var items = *(nint**)(list + 24);
        for (var i = 0; i < count; i++)
        {
            result.Add(items[i]);
        }

        return result;
    }

    private static nint Borrowed(nint o)
    {
        LibPython.Py_IncRef(o);
        return o;
    }
}
