using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Bridge;

/// <summary>
/// The arguments of a call into a bridge function, bound to its <see cref="BridgeSignature"/> by the trampoline
/// (borrowed references). A handler reads parameters by name: a required one is always present, an absent
/// optional one reads as 0. Typed, checked reads are in <c>Arg</c>.
/// </summary>
internal readonly unsafe ref struct BridgeArgs
{
    private readonly nint* _args;
    private readonly nint _kwNames;
    private readonly BridgeSignature _signature;
    private readonly ReadOnlySpan<nint> _slots;

    public BridgeArgs(string function, BridgeSignature signature, nint* args, int count, nint kwNames, ReadOnlySpan<nint> slots)
    {
        Function = function;
        _signature = signature;
        _args = args;
        Count = count;
        _kwNames = kwNames;
        _slots = slots;
    }

    /// <summary>Gets the function's name, for messages.</summary>
    public string Function { get; }

    /// <summary>Gets the number of positional arguments of the call.</summary>
    public int Count { get; }

    /// <summary>Gets a parameter by name, or 0 when an optional one is absent.</summary>
    /// <exception cref="InvalidOperationException">The signature declares no such parameter: the handler and its declaration disagree.</exception>
    public nint Get(string name)
    {
        var slot = _signature.IndexOf(name);
        if (slot < 0)
        {
            throw new InvalidOperationException($"{Function} reads '{name}', which its signature ({_signature}) does not declare");
        }

        return _slots[slot];
    }

    /// <summary>Whether the signature declares a parameter named <paramref name="name"/>.</summary>
    public bool Declares(string name) => _signature.IndexOf(name) >= 0;

    /// <summary>Calls <paramref name="callable"/> with the call's own arguments, unchanged; returns a new reference or 0.</summary>
    public nint Forward(nint callable)
    {
        if (callable == 0)
        {
            return Py.SetError(LibPython.ExcRuntimeError, $"{Function}: the original function is not available");
        }

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

        nint kwargs = 0;
        var keywords = BridgeSignature.KeywordCount(_kwNames);
        if (keywords > 0)
        {
            kwargs = LibPython.PyDict_New();
            for (var i = 0; i < keywords; i++)
            {
                if (kwargs == 0 || LibPython.PyDict_SetItem(kwargs, BridgeSignature.KeywordAt(_kwNames, i), _args[Count + i]) < 0)
                {
                    LibPython.Py_DecRef(tuple);
                    if (kwargs != 0)
                    {
                        LibPython.Py_DecRef(kwargs);
                    }

                    return 0;
                }
            }
        }

        var result = LibPython.PyObject_Call(callable, tuple, kwargs);
        LibPython.Py_DecRef(tuple);
        if (kwargs != 0)
        {
            LibPython.Py_DecRef(kwargs);
        }

        return result;
    }
}
