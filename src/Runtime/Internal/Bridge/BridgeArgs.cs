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
