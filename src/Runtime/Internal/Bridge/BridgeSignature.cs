using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Bridge;

/// <summary>
/// The parameters of a bridge function, declared once in Python's notation (<c>"fd, data, /"</c>,
/// <c>"path, *, dir_fd=None, follow_symlinks=True"</c>). The trampoline binds every call to it before the
/// handler runs: too many positional arguments, an unknown keyword, an argument given twice or a missing
/// required one is a <c>TypeError</c>, and the handler reads only parameters, never the raw call.
/// </summary>
/// <remarks>
/// Grammar: names separated by commas; <c>name=default</c> is optional (the default is documentation: an
/// absent optional parameter reads as 0 and the handler supplies the value); <c>/</c> ends the positional-only
/// parameters; <c>*</c> starts the keyword-only ones; <c>*args, **kwargs</c> alone declares a function that
/// reads no argument at all (it only raises, or forwards the call unchanged to a C function that parses it).
/// </remarks>
internal sealed class BridgeSignature
{
    private readonly string[] _names;

    private BridgeSignature(string text, string[] names, int required, int positionalOnly, int positional, bool readsNothing)
    {
        Text = text;
        _names = names;
        Required = required;
        PositionalOnly = positionalOnly;
        Positional = positional;
        ReadsNothing = readsNothing;
    }

    /// <summary>Gets a signature for a function that reads none of its arguments (<c>*args, **kwargs</c>).</summary>
    public static BridgeSignature Any { get; } = Parse("*args, **kwargs");

    /// <summary>Gets a signature for a function that takes no argument.</summary>
    public static BridgeSignature None { get; } = Parse(string.Empty);

    /// <summary>Gets the declaration.</summary>
    public string Text { get; }

    /// <summary>Gets the number of parameters (the slots a call is bound to).</summary>
    public int Count => _names.Length;

    /// <summary>Gets the number of leading parameters a call must give.</summary>
    public int Required { get; }

    /// <summary>Gets the number of leading parameters that cannot be given by keyword.</summary>
    public int PositionalOnly { get; }

    /// <summary>Gets the number of parameters that can be given by position.</summary>
    public int Positional { get; }

    /// <summary>Gets a value indicating whether the function reads no argument, so that any call binds.</summary>
    public bool ReadsNothing { get; }

    /// <summary>Parses a declaration.</summary>
    /// <param name="text">The parameters, as in a Python <c>def</c>.</param>
    /// <returns>The signature.</returns>
    /// <exception cref="ArgumentException">The declaration is malformed.</exception>
    public static BridgeSignature Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts is ["*args", "**kwargs"])
        {
            return new BridgeSignature(text, [], 0, 0, 0, readsNothing: true);
        }

        var names = new List<string>();
        int? positionalOnly = null, positional = null;
        var required = 0;
        var optionalSeen = false;
        foreach (var part in parts)
        {
            switch (part)
            {
                case "/":
                    positionalOnly = positionalOnly is null && positional is null ? names.Count : throw new ArgumentException($"misplaced '/' in '{text}'", nameof(text));
                    continue;
                case "*":
                    positional = positional is null ? names.Count : throw new ArgumentException($"two '*' in '{text}'", nameof(text));
                    continue;
            }

            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals].Trim();
            if (name.Length == 0 || name.StartsWith('*') || names.Contains(name))
            {
                throw new ArgumentException($"bad parameter '{part}' in '{text}'", nameof(text));
            }

            if (equals < 0 && positional is null)
            {
                required = !optionalSeen ? required + 1 : throw new ArgumentException($"required '{name}' after an optional parameter in '{text}'", nameof(text));
            }
            else if (equals < 0)
            {
                throw new ArgumentException($"required keyword-only '{name}' in '{text}' is not supported", nameof(text));
            }
            else
            {
                optionalSeen = true;
            }

            names.Add(name);
        }

        return new BridgeSignature(text, [.. names], required, positionalOnly ?? 0, positional ?? names.Count, readsNothing: false);
    }

    /// <summary>Gets the index of a parameter by name, or -1.</summary>
    public int IndexOf(string name) => Array.IndexOf(_names, name);

    /// <summary>Gets the name of the parameter at <paramref name="index"/>.</summary>
    public string NameAt(int index) => _names[index];

    /// <summary>
    /// Binds a vectorcall to <paramref name="slots"/> (one per parameter, zeroed): positional arguments first, then
    /// keywords by name. Returns false with a Python <c>TypeError</c> set when the call does not fit.
    /// </summary>
    /// <param name="function">The function's name, for messages.</param>
    /// <param name="args">The vectorcall's arguments: positional ones, then the values of the keywords.</param>
    /// <param name="count">The number of positional arguments.</param>
    /// <param name="kwNames">The tuple of keyword names, or 0.</param>
    /// <param name="slots">The bound arguments (borrowed references), by parameter.</param>
    public unsafe bool Bind(string function, nint* args, int count, nint kwNames, Span<nint> slots)
    {
        if (ReadsNothing)
        {
            return true;
        }

        if (count > Positional)
        {
            Py.SetError(LibPython.ExcTypeError, Positional == 0
                ? $"{function}() takes no positional arguments ({count} given)"
                : $"{function}() takes at most {Positional} positional argument{(Positional == 1 ? string.Empty : "s")} ({count} given)");
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            slots[i] = args[i];
        }

        var keywords = KeywordCount(kwNames);
        for (var k = 0; k < keywords; k++)
        {
            var key = KeywordAt(kwNames, k);
            var name = Py.IsInstanceOfFlag(key, Py.TpFlagsUnicodeSubclass) ? Py.ReadString(key) : null;
            if (name is null)
            {
                LibPython.PyErr_Clear();
                Py.SetError(LibPython.ExcTypeError, $"{function}() keywords must be strings");
                return false;
            }

            var index = IndexOf(name);
            if (index < PositionalOnly)
            {
                Py.SetError(LibPython.ExcTypeError, index < 0
                    ? $"{function}() got an unexpected keyword argument '{name}'"
                    : $"{function}() got some positional-only arguments passed as keyword arguments: '{name}'");
                return false;
            }

            if (slots[index] != 0)
            {
                Py.SetError(LibPython.ExcTypeError, $"argument for {function}() given by name ('{name}') and position ({index + 1})");
                return false;
            }

            slots[index] = args[count + k];
        }

        for (var i = 0; i < Required; i++)
        {
            if (slots[i] == 0)
            {
                Py.SetError(LibPython.ExcTypeError, $"{function}() missing required argument '{_names[i]}' (pos {i + 1})");
                return false;
            }
        }

        return true;
    }

    /// <summary>The number of keyword names (the vectorcall's <c>kwnames</c> is an exact tuple of str, or absent).</summary>
    internal static unsafe int KeywordCount(nint kwNames) => kwNames == 0 ? 0 : (int)*(nint*)(kwNames + 16);

    internal static unsafe nint KeywordAt(nint kwNames, int index) => *(nint*)(kwNames + 24 + (index * 8));

    public override string ToString() => Text;
}
