using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Bridge;

/// <summary>The arguments of a vectorcall into a bridge function (borrowed references).</summary>
internal readonly unsafe ref struct BridgeArgs
{
    private readonly nint* _args;
    private readonly nint _kwNames;

    public BridgeArgs(nint* args, int count, nint kwNames)
    {
        _args = args;
        Count = count;
        _kwNames = kwNames;
    }

    /// <summary>Gets the number of positional arguments.</summary>
    public int Count { get; }

    /// <summary>Gets a positional argument, or 0 when absent.</summary>
    public nint this[int index] => index < Count ? _args[index] : 0;

    /// <summary>Gets a keyword argument by name, or 0 when absent.</summary>
    public nint Keyword(string name)
    {
        if (_kwNames == 0)
        {
            return 0;
        }

        var n = *(nint*)(_kwNames + 16); // ob_size of the kwnames tuple
        for (var i = 0; i < n; i++)
        {
            var key = *(nint*)(_kwNames + 24 + (i * 8)); // ob_item[i]
            if (Py.ReadString(key) == name)
            {
                return _args[Count + i];
            }
        }

        return 0;
    }

    /// <summary>Gets an argument by position or keyword, or 0 when absent.</summary>
    public nint Get(int index, string name)
    {
        var value = this[index];
        return value != 0 ? value : Keyword(name);
    }

    /// <summary>Builds a new tuple of the positional arguments, or returns 0 with the Python error set.</summary>
    public nint ToTuple()
    {
        var tuple = LibPython.PyTuple_New(Count);
        if (tuple == 0)
        {
            return 0;
        }

        for (var i = 0; i < Count; i++)
        {
            LibPython.Py_IncRef(_args[i]);
            LibPython.PyTuple_SetItem(tuple, i, _args[i]);
        }

        return tuple;
    }

    /// <summary>Builds a new dictionary of the keyword arguments, or returns 0 when there are none.</summary>
    public nint ToKeywords()
    {
        if (_kwNames == 0)
        {
            return 0;
        }

        var n = *(nint*)(_kwNames + 16);
        var dict = LibPython.PyDict_New();
        if (dict == 0)
        {
            throw new InvalidOperationException("the keyword arguments could not be collected"); // the Python error is set
        }

        for (var i = 0; i < n; i++)
        {
            LibPython.PyDict_SetItem(dict, *(nint*)(_kwNames + 24 + (i * 8)), _args[Count + i]);
        }

        return dict;
    }

    /// <summary>Calls <paramref name="callable"/> with these arguments; returns a new reference or 0.</summary>
    public nint Forward(nint callable)
    {
        if (callable == 0)
        {
            return Py.SetError(LibPython.ExcRuntimeError, "the function is not available in this runtime");
        }

        var tuple = ToTuple();
        if (tuple == 0)
        {
            return 0;
        }

        var kwargs = ToKeywords();
        var result = LibPython.PyObject_Call(callable, tuple, kwargs);
        LibPython.Py_DecRef(tuple);
        if (kwargs != 0)
        {
            LibPython.Py_DecRef(kwargs);
        }

        return result;
    }

    /// <summary>Gets the names of all keyword arguments.</summary>
    public IEnumerable<string> KeywordNames()
    {
        if (_kwNames == 0)
        {
            return [];
        }

        var n = *(nint*)(_kwNames + 16);
        var names = new List<string>((int)n);
        for (var i = 0; i < n; i++)
        {
            names.Add(Py.ReadString(*(nint*)(_kwNames + 24 + (i * 8))) ?? string.Empty);
        }

        return names;
    }
}
