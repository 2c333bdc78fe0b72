using System.Globalization;
using Microsoft.Extensions.Options;
using PyHosting.Internal.Managed.State;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// The rules of <see cref="PythonRuntimeOptions"/> that span properties, the service registrations
/// and the host's file system. Every problem is reported, each naming the full configuration key,
/// the value found and the fix, so that one failed start shows everything to correct.
/// </summary>
internal sealed partial class PythonRuntimeOptionsCustomValidator : IValidateOptions<PythonRuntimeOptions>
{
    private const string Section = PythonRuntimeOptions.SectionName;
    private const string IOKey = Section + ":Permissions:IO";
    private const string CreateThreadKey = Section + ":Permissions:CreateThread";
    private const string CreateProcessKey = Section + ":Permissions:CreateProcess";
    private const string NativeAccessKey = Section + ":Permissions:NativeAccess";

    // The longest delay a CancellationTokenSource accepts (uint.MaxValue - 1 milliseconds).
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    private readonly PythonRuntimeRegistrations? _registrations;
    private readonly PythonConfigurationErrors? _bindingErrors;
    private readonly string _contentRoot;

    /// <summary>Initializes a new instance of the <see cref="PythonRuntimeOptionsCustomValidator"/> class.</summary>
    /// <param name="registrations">Tells providers registered in code from the defaults; <see langword="null"/> when there are none.</param>
    /// <param name="bindingErrors">Values skipped while binding configuration; <see langword="null"/> when there are none.</param>
    /// <param name="contentRoot">The directory relative host paths are relative to; the current directory when <see langword="null"/>.</param>
    public PythonRuntimeOptionsCustomValidator(PythonRuntimeRegistrations? registrations = null, PythonConfigurationErrors? bindingErrors = null, string? contentRoot = null)
    {
        _registrations = registrations;
        _bindingErrors = bindingErrors;
        _contentRoot = contentRoot ?? Directory.GetCurrentDirectory();
    }

    public ValidateOptionsResult Validate(string? name, PythonRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ValidateOptionsResultBuilder();
        if (_bindingErrors is not null)
        {
            foreach (var error in _bindingErrors.Errors)
            {
                errors.AddError(error);
            }
        }

        ValidateEnums(options, errors);
        ValidateExecutionTimeout(options.ExecutionTimeout, errors);
        ValidateMemoryLimit(options.MemoryLimit, errors);
        ValidatePythonLibrary(options.PythonLibrary, errors);
        ValidateBackend(options, errors);
        ValidateNativeExtensions(options, errors);
        ValidateModulePaths(options, errors);
        ValidateProcesses(options, errors);
        ValidateEnvironmentVariables(options.Permissions, errors);
        ValidateFileSystem(options.FileSystem, errors);
        return errors.Build();
    }

    private static void ValidateEnums(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        ValidateEnum(Section + ":Backend", options.Backend, errors);
        ValidateEnum(IOKey, options.Permissions.IO, errors);
        ValidateEnum(Section + ":Permissions:Environment", options.Permissions.Environment, errors);
    }

    private static void ValidateEnum<TEnum>(string key, TEnum value, ValidateOptionsResultBuilder errors)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            errors.AddError($"{key} '{value}' is not a valid value; use one of: {string.Join(", ", Enum.GetNames<TEnum>())}.");
        }
    }

    private static void ValidateExecutionTimeout(TimeSpan? timeout, ValidateOptionsResultBuilder errors)
    {
        const string key = Section + ":ExecutionTimeout";
        if (timeout is not { } value)
        {
            return;
        }

        if (value < TimeSpan.Zero)
        {
            errors.AddError(Invariant($"{key} '{value:c}' must not be negative; use a time span such as 00:00:30, or 00:00:00 for no limit."));
        }
        else if (value > MaxTimeout)
        {
            errors.AddError(Invariant($"{key} '{value:c}' is too long; use at most {MaxTimeout:c}, or 00:00:00 for no limit."));
        }
    }

    private static void ValidateMemoryLimit(long? limit, ValidateOptionsResultBuilder errors)
    {
        const string key = Section + ":MemoryLimit";
        if (limit is not { } value || value == 0)
        {
            return;
        }

        if (value < 0)
        {
            errors.AddError(Invariant($"{key} '{value}' must not be negative; set a size in bytes such as {PythonRuntimeOptions.DefaultMemoryLimit} (1 GiB), or 0 for no limit."));
        }
        else if (value < PythonRuntimeOptions.MinimumMemoryLimit)
        {
            errors.AddError(Invariant($"{key} '{value}' is below {PythonRuntimeOptions.MinimumMemoryLimit} bytes (32 MiB), the least the interpreter needs to start; set at least {PythonRuntimeOptions.MinimumMemoryLimit}, or 0 for no limit."));
        }
    }

    private void ValidatePythonLibrary(string? library, ValidateOptionsResultBuilder errors)
    {
        if (string.IsNullOrWhiteSpace(library))
        {
            return;
        }

        // Resolved like the runtime resolves it: against the current directory.
        if (!File.Exists(Path.GetFullPath(library)))
        {
            errors.AddError($"{Section}:PythonLibrary '{library}' does not exist; set it to the path of the CPython 3.11 shared library (libpython3.11.so.1.0), or remove it to detect the library.");
        }
    }

    private void ValidateBackend(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        if (options.Backend != PythonBackend.Native)
        {
            return;
        }

        const string prefix = Section + ":Backend 'Native'";
        var missing = new List<string>();
        if (options.Permissions.IO != IOAccess.All)
        {
            missing.Add($"{IOKey}=All (found {options.Permissions.IO})");
        }

        if (!options.Permissions.NativeAccess)
        {
            missing.Add($"{NativeAccessKey}=true (found false)");
        }

        if (missing.Count > 0)
        {
            errors.AddError($"{prefix} requires {JoinAnd(missing)}: the Native backend is not sandboxed; grant them, or use {Section}:Backend=Managed.");
        }

        if (_registrations?.DescribeCodeFileSystem() is { } fileSystem)
        {
            errors.AddError($"{prefix} cannot use the IPythonFileSystem registered in code ({fileSystem}): the Native backend calls the operating system directly; remove the registration, or use {Section}:Backend=Managed.");
        }

        if (_registrations?.DescribeCodeProcessProvider() is { } processes)
        {
            errors.AddError($"{prefix} cannot use the IPythonProcessProvider registered in code ({processes}): the Native backend calls the operating system directly; remove the registration, or use {Section}:Backend=Managed.");
        }
    }

    private static void ValidateNativeExtensions(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        var permissions = options.Permissions;
        for (var i = 0; i < options.NativeExtensions.Count; i++)
        {
            var extension = options.NativeExtensions[i];
            var key = Invariant($"{Section}:NativeExtensions:{i} '{extension}'");
            if (!PythonNames.IsDottedIdentifier(extension))
            {
                errors.AddError($"{key} is not a Python module name; use a dotted identifier such as numpy or package.module.");
            }

            var missing = new List<string>();
            if (permissions.IO != IOAccess.All)
            {
                missing.Add($"{IOKey}=All (found {permissions.IO})");
            }

            if (!permissions.CreateThread)
            {
                missing.Add($"{CreateThreadKey}=true (found false)");
            }

            if (!permissions.NativeAccess)
            {
                missing.Add($"{NativeAccessKey}=true (found false)");
            }

            if (missing.Count > 0)
            {
                errors.AddError($"{key} requires {JoinAnd(missing)}.");
            }
        }
    }

    private static void ValidateModulePaths(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        for (var i = 0; i < options.ModulePaths.Count; i++)
        {
            var path = options.ModulePaths[i];
            var key = Invariant($"{Section}:ModulePaths:{i}");
            if (string.IsNullOrWhiteSpace(path))
            {
                errors.AddError($"{key} is empty; set a directory, or remove the entry.");
            }
            else if (options.Backend == PythonBackend.Managed)
            {
                // Managed module paths live in the runtime's file system, where there is no current directory to be relative to.
                ValidateRuntimePath(key, path, "such as /app/lib (a Managed module path is a path in the runtime's file system)", errors);
            }
        }
    }

    private static void ValidateProcesses(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        const string key = Section + ":Processes:AllowedExecutables";
        var allowed = options.Processes.AllowedExecutables;
        if (allowed.Count > 0 && !options.Permissions.CreateProcess)
        {
            var names = string.Join(", ", allowed.Select(static e => $"'{e}'"));
            var count = allowed.Count == 1 ? "1 executable" : Invariant($"{allowed.Count} executables");
            errors.AddError($"{key} lists {count} ({names}) but {CreateProcessKey} is false; set {CreateProcessKey}=true to let Python code start them, or remove the list.");
        }

        for (var i = 0; i < allowed.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(allowed[i]))
            {
                errors.AddError(Invariant($"{key}:{i} is empty; set an executable name or absolute path, or remove the entry."));
            }
        }

        const string environmentKey = Section + ":Processes:EnvironmentVariables";
        var variables = options.Processes.EnvironmentVariables;
        for (var i = 0; i < variables.Count; i++)
        {
            var name = variables[i];
            if (string.IsNullOrWhiteSpace(name) || name.Contains('=', StringComparison.Ordinal))
            {
                errors.AddError(Invariant($"{environmentKey}:{i} '{name}' is not a variable name; set a name such as MY_SETTING, or remove the entry."));
            }
            else if (ChildEnvironment.Refusal(name, string.Empty, [name]) is { } reason)
            {
                errors.AddError(Invariant($"{environmentKey}:{i} '{name}' never reaches a child process ({reason}); remove the entry."));
            }
        }
    }

    private static void ValidateEnvironmentVariables(PythonPermissions permissions, ValidateOptionsResultBuilder errors)
    {
        foreach (var name in permissions.EnvironmentVariables.Keys)
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
            {
                errors.AddError($"{Section}:Permissions:EnvironmentVariables '{name}' is not a valid environment variable name; use a non-empty name without '='.");
            }
        }
    }

    private static string JoinAnd(List<string> items) => items.Count == 1
        ? items[0]
        : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
