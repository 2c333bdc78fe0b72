using PyHosting.Internal.Bridge;

namespace PyHosting.Internal.Managed;

/// <summary>The bridge functions of the Managed backend: each one is bound to this instance and maps errors through it.</summary>
internal sealed partial class ManagedBackend
{
    private readonly Dictionary<string, nint> _functions = [];

    /// <summary>Sets the Python error for a .NET exception escaping one of this backend's bridge functions; returns 0.</summary>
    /// <param name="exception">The exception.</param>
    /// <param name="operation">The function that raised it.</param>
    public nint MapException(Exception exception, string operation) => ManagedErrors.Map(exception, operation, this);

    /// <summary>
    /// One function object per key (<c>module.name</c>) for this backend, shared by every instance of the
    /// module; Python sees the part after the last dot as its <c>__name__</c>.
    /// </summary>
    /// <param name="key">The qualified name.</param>
    /// <param name="signature">The parameters every call is bound to before <paramref name="handler"/> runs.</param>
    /// <param name="handler">The implementation, used when the key has no function yet.</param>
    public nint FunctionFor(string key, BridgeSignature signature, BridgeHandler handler)
    {
        lock (_functions)
        {
            if (!_functions.TryGetValue(key, out var f))
            {
                // __module__ is the module the function stands in (the key's first part), as for CPython's own functions.
                var dot = key.IndexOf('.', StringComparison.Ordinal);
                f = BridgeFunctions.Create(key[(key.LastIndexOf('.') + 1)..], signature, handler, MapException, module: dot > 0 ? key[..dot] : null);
                _functions[key] = f;
            }

            return f;
        }
    }

    /// <summary>As <see cref="FunctionFor(string, BridgeSignature, BridgeHandler)"/>, with the parameters declared in Python's notation.</summary>
    /// <param name="key">The qualified name.</param>
    /// <param name="signature">The parameters, e.g. <c>"fd, data, /"</c>.</param>
    /// <param name="handler">The implementation.</param>
    public nint FunctionFor(string key, string signature, BridgeHandler handler) => FunctionFor(key, BridgeSignature.Parse(signature), handler);
}
