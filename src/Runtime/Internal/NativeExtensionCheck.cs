using System.Globalization;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal;

/// <summary>
/// Checks, as the interpreter starts, that every registered native extension is on the module
/// path and really is native code (DESIGN §3): found with <c>importlib.util.find_spec</c> and its
/// submodule equivalent, so nothing is imported, and either loaded by <c>ExtensionFileLoader</c> or a
/// package with a <c>.so</c> inside. In the Managed backend the extension must also be loadable: native
/// code is loaded by the host's dynamic linker, so the file needs a host path. Requires the GIL.
/// </summary>
internal static unsafe class NativeExtensionCheck
{
    private const string Key = PythonRuntimeConfigurationKeys.NativeExtensions;
    private const string ModulePathsKey = PythonRuntimeConfigurationKeys.ModulePaths;

    /// <summary>Checks the registered extensions; throws one exception listing every problem.</summary>
    /// <param name="extensions">The registered names, in configuration order.</param>
    /// <param name="managed">The Managed backend (where a file's host path is checked), or <see langword="null"/> for the Native backend.</param>
    /// <exception cref="PythonStartupException">An extension is missing, not native, or cannot be loaded from where it is.</exception>
    public static void Run(IList<string> extensions, ManagedBackend? managed = null)
    {
        if (extensions.Count == 0)
        {
            return;
        }

        var rows = Lookup(extensions);
        var problems = new List<string>();
        for (var i = 0; i < extensions.Count; i++)
        {
            var subject = string.Create(CultureInfo.InvariantCulture, $"{Key}:{i} '{extensions[i]}'");
            var (status, detail) = i < rows.Count ? rows[i] : ("error", (object?)"no result");
            var problem = status switch
            {
                "native" => managed is null ? null : HostPathProblem(subject, (string)detail!, managed),
                "missing" => $"{subject} was not found on the module path (searched: {string.Join(", ", AsStrings(detail))}); install it, or add its directory to {ModulePathsKey}.",
                "builtin" => $"{subject} is compiled into the interpreter, not a native extension: registering it changes nothing; remove the entry.",
                "notnative" => $"{subject} ({detail}) is not a native extension and contains none; register the extension module itself (for example _sqlite3 for sqlite3), or remove the entry: pure Python modules need no registration.",
                _ => $"{subject} could not be looked up ({detail}).",
            };
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        if (problems.Count > 0)
        {
            throw new PythonStartupException(string.Join(Environment.NewLine, problems));
        }
    }

    private static List<(string Status, object? Detail)> Lookup(IList<string> extensions)
    {
        var shim = EmbeddedPython.Run("pyhosting_extensions.py");
        try
        {
            var result = EmbeddedPython.Call(shim, "check", ValueConverter.ToPython(extensions.ToList()));
            try
            {
                var rows = ValueConverter.ToClr(result) as IList<object?> ?? [];
                return [.. rows.Select(static r => r is IList<object?> { Count: 2 } row && row[0] is string status ? (status, row[1]) : ("error", (object?)"unexpected result"))];
            }
            finally
            {
                LibPython.Py_DecRef(result);
            }
        }
        catch (PythonScriptException e)
        {
            throw new PythonStartupException($"The registered native extensions ({Key}) could not be checked: {e.Message}", e);
        }
        finally
        {
            LibPython.Py_DecRef(shim);
        }
    }

    /// <summary>Where the runtime's file system puts an extension that the dynamic linker cannot open.</summary>
    private static string? HostPathProblem(string subject, string file, ManagedBackend managed)
    {
        string? hostPath;
        try
        {
            var path = ManagedPath.Resolve(managed.WorkingDirectory, file);
            var (fileSystem, inner, _) = managed.FileSystem.Route(path);
            hostPath = fileSystem.GetHostPath(inner);
        }
        catch (Exception e) when (e is PythonIOException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return $"{subject} ({file}) cannot be mapped to a host file: {e.Message}";
        }

        return hostPath is null
            ? $"{subject} ({file}) is in a file system without host files (in memory, for example); native code is loaded by the operating system: mount the directory from a host directory (PythonRuntime:FileSystem:Mounts with HostPath)."
            : null;
    }

    private static IEnumerable<string> AsStrings(object? value) => value is IEnumerable<object?> items
        ? items.Select(static i => i?.ToString() ?? string.Empty)
        : [value?.ToString() ?? string.Empty];
}
