using System.Globalization;
using System.Text.Json;
using PyHosting.Internal;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// Checks, once Python has started, that every registered native extension can be found on the
/// module path (<c>importlib.util.find_spec</c>, which does not import a top-level module) and
/// really is a native extension or a package containing one.
/// </summary>
internal static class NativeExtensionVerifier
{
    // Runs in a private namespace, so the application's __main__ is untouched.
    private const string Check = """
        import importlib.machinery as _m, importlib.util as _u, os as _os, sys as _sys

        def _check(name):
            try:
                spec = _u.find_spec(name)
            except (ImportError, ValueError) as e:
                return ['error', '%s: %s' % (type(e).__name__, e)]
            if spec is None:
                return ['missing', ', '.join(str(p) for p in _sys.path)]
            if isinstance(spec.loader, (_m.ExtensionFileLoader, _m.BuiltinImporter)) or spec.origin == 'built-in':
                return ['ok', str(spec.origin)]
            suffixes = tuple(_m.EXTENSION_SUFFIXES)
            locations = list(spec.submodule_search_locations or [])
            for location in locations:
                try:
                    _os.listdir(location)
                except OSError:
                    return ['ok', location]  # not listable here: the import machinery decides later
                for _root, _dirs, files in _os.walk(location):
                    if any(f.endswith(suffixes) for f in files):
                        return ['ok', location]
            return ['notnative', str(spec.origin or ', '.join(locations))]

        result = [_check(n) for n in NAMES]
        """;

    /// <summary>Returns one message per registered extension that cannot be used (empty when all are fine).</summary>
    /// <param name="runtime">The started runtime.</param>
    /// <param name="extensions">The registered extensions.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The problems.</returns>
    public static async Task<IReadOnlyList<string>> VerifyAsync(IPythonRuntime runtime, IList<string> extensions, CancellationToken cancellationToken)
    {
        if (extensions.Count == 0)
        {
            return [];
        }

        var source = Check.Replace("NAMES", JsonSerializer.Serialize(extensions), StringComparison.Ordinal);
        var expression = $"(lambda ns: (exec({PythonRuntime.PythonLiteral(source)}, ns), ns['result'])[1])({{}})";
        var results = await runtime.EvaluateAsync<object>(expression, cancellationToken).ConfigureAwait(false) as System.Collections.IList ?? Array.Empty<object>();
        var problems = new List<string>();
        for (var i = 0; i < extensions.Count && i < results.Count; i++)
        {
            if (results[i] is not System.Collections.IList { Count: 2 } result || result[0] is not string status || status == "ok")
            {
                continue;
            }

            var key = string.Create(CultureInfo.InvariantCulture, $"{PythonRuntimeOptions.SectionName}:NativeExtensions:{i} '{extensions[i]}'");
            var detail = result[1] as string;
            problems.Add(status switch
            {
                "missing" => $"{key} was not found on the module path (searched: {detail}); install it, or add its directory to {PythonRuntimeOptions.SectionName}:ModulePaths.",
                "notnative" => $"{key} ({detail}) is not a native extension and contains none; register the extension module itself (for example _sqlite3 for sqlite3), or remove the entry: pure Python modules need no registration.",
                _ => $"{key} could not be looked up ({detail}).",
            });
        }

        return problems;
    }
}
