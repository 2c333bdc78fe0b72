using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Conversion;

/// <summary>
/// Recognises values of CPython's built-in C types (datetime, Decimal, numpy) by walking the type's MRO for a
/// static (non-heap) type of a given name: no module is imported and nothing Python code can replace is looked
/// up, so a result is classified by what it is, not by what <c>sys.modules</c> says. Every method requires the GIL.
/// </summary>
internal static unsafe class PythonTypes
{
    public const string DateTime = "datetime.datetime";
    public const string Date = "datetime.date";
    public const string Time = "datetime.time";
    public const string TimeDelta = "datetime.timedelta";
    public const string Decimal = "decimal.Decimal";
    public const string NumpyArray = "numpy.ndarray";
    public const string NumpyGeneric = "numpy.generic";

    private const int TpNameOffset = 24;
    private const int TpMroOffset = 344;
    private const ulong HeapTypeFlag = 1UL << 9;

    /// <summary>Whether <paramref name="o"/>'s type is, or derives from, the static type named <paramref name="name"/>.</summary>
    public static bool IsInstance(nint o, string name) => IsSubtype(Py.TypeOf(o), name);

    /// <summary>Whether <paramref name="type"/> is, or derives from, the static type named <paramref name="name"/>.</summary>
    public static bool IsSubtype(nint type, string name)
    {
        var mro = *(nint*)(type + TpMroOffset);
        if (mro == 0)
        {
            return IsStaticNamed(type, name);
        }

        var count = *(nint*)(mro + 16);
        for (var i = 0; i < count; i++)
        {
            if (IsStaticNamed(*(nint*)(mro + 24 + (i * 8)), name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="type"/> itself is the static type named <paramref name="name"/>.</summary>
    public static bool IsStaticNamed(nint type, string name)
    {
        if ((Py.TypeFlags(type) & HeapTypeFlag) != 0)
        {
            return false;
        }

        // Compared byte by byte: this runs for every value a result converts, and must not allocate.
        var typeName = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(*(byte**)(type + TpNameOffset));
        if (typeName.Length != name.Length)
        {
            return false;
        }

        for (var i = 0; i < typeName.Length; i++)
        {
            if (typeName[i] != name[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Gets a class of a C extension module for building arguments, checked to be that static type (new reference).
    /// Throws <see cref="ArgumentException"/> when the module's attribute is anything else (a module replaced by Python code).
    /// </summary>
    public static nint ImportStaticType(string module, string attribute, string expectedName)
    {
        var mod = Py.Import(module);
        if (mod == 0)
        {
            LibPython.PyErr_Clear();
            throw new ArgumentException($"The Python module '{module}' needed to pass this value could not be imported.");
        }

        var type = Py.GetAttr(mod, attribute);
        LibPython.Py_DecRef(mod);
        if (type == 0)
        {
            LibPython.PyErr_Clear();
            throw new ArgumentException($"{module}.{attribute} needed to pass this value was not found.");
        }

        if (!IsStaticNamed(type, expectedName))
        {
            LibPython.Py_DecRef(type);
            throw new ArgumentException($"{module}.{attribute} is not CPython's {expectedName}: the value cannot be passed.");
        }

        return type;
    }
}
