using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// The rules of <see cref="PythonRuntimeOptions"/> that span properties, the providers chosen in code
/// and the host's file system. It validates the bound options; the configuration's own problems are
/// <see cref="PythonRuntimeConfigurationValidator"/>'s. Every problem is reported, each naming the full configuration key,
/// the value found and the fix, so that one failed start shows everything to correct.
/// </summary>
internal sealed partial class PythonRuntimeOptionsCustomValidator : IValidateOptions<PythonRuntimeOptions>
{
    private const string IOKey = PythonRuntimeConfigurationKeys.IO;
    private const string CreateThreadKey = PythonRuntimeConfigurationKeys.CreateThread;
    private const string CreateProcessKey = PythonRuntimeConfigurationKeys.CreateProcess;
    private const string NativeAccessKey = PythonRuntimeConfigurationKeys.NativeAccess;

    // No call plausibly needs longer; a longer value is a mistake, such as a bare number read as days.
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);

    private readonly PythonRuntimeRegistrations? _registrations;
    private readonly PythonRuntimeCatalog? _catalog;
    private readonly IServiceProvider? _services;
    private readonly string _contentRoot;

    /// <summary>The configuration section of the runtime being validated, whose keys the messages name.</summary>
    private string _section = PythonRuntimeOptions.SectionName;

    /// <summary>Initializes a new instance of the <see cref="PythonRuntimeOptionsCustomValidator"/> class for every registered runtime.</summary>
    /// <param name="catalog">The registered runtimes, with the providers each chose in code.</param>
    /// <param name="services">The application's services, to read the other runtimes' options for the rules across runtimes.</param>
    /// <param name="environment">The host's environment, whose content root relative host paths are relative to; the current directory without one.</param>
    public PythonRuntimeOptionsCustomValidator(PythonRuntimeCatalog catalog, IServiceProvider services, IHostEnvironment? environment = null)
    {
        _catalog = catalog;
        _services = services;
        _contentRoot = ContentRoot.Of(environment);
    }

    /// <summary>Initializes a new instance of the <see cref="PythonRuntimeOptionsCustomValidator"/> class for one runtime.</summary>
    /// <param name="registrations">The providers chosen in code; <see langword="null"/> when there are none.</param>
    /// <param name="contentRoot">The directory relative host paths are relative to.</param>
    internal PythonRuntimeOptionsCustomValidator(PythonRuntimeRegistrations? registrations, string contentRoot)
    {
        _registrations = registrations;
        _contentRoot = contentRoot;
    }

    /// <summary>Spells a key of the default section under the section of the runtime being validated.</summary>
    /// <param name="key">A key of <see cref="PythonRuntimeConfigurationKeys"/>.</param>
    /// <returns>The runtime's own key.</returns>
    private string K(string key) => PythonRuntimeOptions.QualifyKey(_section, key);

    /// <summary>The message for a provider the Native backend cannot honour.</summary>
    /// <param name="service">The provider interface, e.g. <c>IPythonFileSystem</c>.</param>
    /// <param name="implementation">The provider's type name.</param>
    /// <returns>The message, naming the key, the value and the fix.</returns>
    /// <param name="section">The runtime's configuration section, whose key the message names.</param>
    internal static string NativeCannotUse(string service, string implementation, string section)
    {
        var key = PythonRuntimeOptions.QualifyKey(section, PythonRuntimeConfigurationKeys.Backend);
        return $"{key} 'Native' cannot use the {service} registered in code ({implementation}): the Native backend calls the operating system directly; remove the registration, or use {key}=Managed.";
    }

    public ValidateOptionsResult Validate(string? name, PythonRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_catalog is null)
        {
            return new PythonRuntimeOptionsCustomValidator(_registrations, _contentRoot).ValidateRuntime(options);
        }

        if (!_catalog.TryGet(name, out var registrations))
        {
            return ValidateOptionsResult.Skip;
        }

        // Messages name the keys of the runtime's own section (the options carry it), and the rules across runtimes name
        // each runtime's keys.
        var result = new PythonRuntimeOptionsCustomValidator(registrations, _contentRoot).ValidateRuntime(options);
        var failures = result.Failed ? result.Failures.ToList() : [];
        failures.AddRange(ValidateAcrossRuntimes(registrations, options));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private ValidateOptionsResult ValidateRuntime(PythonRuntimeOptions options)
    {
        _section = options.ConfigurationSection;
        var errors = new ValidateOptionsResultBuilder();
        ValidateEnums(options, errors);
        ValidateExecutionTimeout(options.ExecutionTimeout, errors);
        ValidateMemoryLimit(options.MemoryLimit, errors);
        ValidatePythonLibrary(options.PythonLibrary, errors);
        ValidateBackend(options, errors);
        ValidateNativeExtensions(options, errors);
        ValidateModulePaths(options, errors);
        ValidateVirtualEnvironment(options, errors);
        ValidateProcesses(options, errors);
        ValidateEnvironmentVariables(options.Permissions, errors);
        ValidateFileSystem(options.FileSystem, errors);
        ValidateIsolation(options, errors);
        return errors.Build();
    }

    private void ValidateEnums(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        ValidateEnum(K(PythonRuntimeConfigurationKeys.Backend), options.Backend, errors);
        ValidateEnum(K(IOKey), options.Permissions.IO, errors);
        ValidateEnum(K(PythonRuntimeConfigurationKeys.Environment), options.Permissions.Environment, errors);
    }

    private void ValidateEnum<TEnum>(string key, TEnum value, ValidateOptionsResultBuilder errors)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            errors.AddError($"{key} '{value}' is not a valid value; use one of: {string.Join(", ", Enum.GetNames<TEnum>())}.");
        }
    }

    private void ValidateExecutionTimeout(TimeSpan? timeout, ValidateOptionsResultBuilder errors)
    {
        var key = K(PythonRuntimeConfigurationKeys.ExecutionTimeout);
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
            errors.AddError(Invariant($"{key} '{value:c}' is more than a day; use a time span such as 00:00:30 (at most {MaxTimeout:c}), or 00:00:00 for no limit."));
        }
    }

    private void ValidateMemoryLimit(long? limit, ValidateOptionsResultBuilder errors)
    {
        var key = K(PythonRuntimeConfigurationKeys.MemoryLimit);
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
            errors.AddError($"{K(PythonRuntimeConfigurationKeys.PythonLibrary)} '{library}' does not exist; set it to the path of the CPython 3.11 shared library (libpython3.11.so.1.0), or remove it to detect the library.");
        }
    }

    private void ValidateBackend(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        if (options.Backend != PythonBackend.Native)
        {
            return;
        }

        var prefix = K(PythonRuntimeConfigurationKeys.Backend) + " 'Native'";
        var missing = new List<string>();
        if (options.Permissions.IO != IOAccess.All)
        {
            missing.Add($"{K(IOKey)}=All (found {options.Permissions.IO})");
        }

        if (!options.Permissions.NativeAccess)
        {
            missing.Add($"{K(NativeAccessKey)}=true (found false)");
        }

        if (missing.Count > 0)
        {
            errors.AddError($"{prefix} requires {JoinAnd(missing)}: the Native backend is not sandboxed; grant them, or use {K(PythonRuntimeConfigurationKeys.Backend)}=Managed.");
        }

        if (_registrations?.CodeFileSystem is { } fileSystem)
        {
            errors.AddError(NativeCannotUse(nameof(Providers.IPythonFileSystem), fileSystem, _section));
        }

        if (_registrations?.CodeProcessProvider is { } processes)
        {
            errors.AddError(NativeCannotUse(nameof(Providers.IPythonProcessProvider), processes, _section));
        }
    }

    private void ValidateNativeExtensions(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        var permissions = options.Permissions;
        for (var i = 0; i < options.NativeExtensions.Count; i++)
        {
            var extension = options.NativeExtensions[i];
            var key = Invariant($"{K(PythonRuntimeConfigurationKeys.NativeExtensions)}:{i} '{extension}'");
            if (!PythonNames.IsDottedIdentifier(extension))
            {
                errors.AddError($"{key} is not a Python module name; use a dotted identifier such as numpy or package.module.");
            }

            var missing = new List<string>();
            if (permissions.IO != IOAccess.All)
            {
                missing.Add($"{K(IOKey)}=All (found {permissions.IO})");
            }

            if (!permissions.CreateThread)
            {
                missing.Add($"{K(CreateThreadKey)}=true (found false)");
            }

            if (!permissions.NativeAccess)
            {
                missing.Add($"{K(NativeAccessKey)}=true (found false)");
            }

            if (missing.Count > 0)
            {
                errors.AddError($"{key} requires {JoinAnd(missing)}.");
            }
        }
    }

    private void ValidateModulePaths(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        for (var i = 0; i < options.ModulePaths.Count; i++)
        {
            var path = options.ModulePaths[i];
            var key = Invariant($"{K(PythonRuntimeConfigurationKeys.ModulePaths)}:{i}");
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

    private void ValidateProcesses(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        var key = K(PythonRuntimeConfigurationKeys.AllowedExecutables);
        var allowed = options.Processes.AllowedExecutables;
        if (allowed.Count > 0 && !options.Permissions.CreateProcess)
        {
            var names = string.Join(", ", allowed.Select(static e => $"'{e}'"));
            var count = allowed.Count == 1 ? "1 executable" : Invariant($"{allowed.Count} executables");
            errors.AddError($"{key} lists {count} ({names}) but {K(CreateProcessKey)} is false; set {K(CreateProcessKey)}=true to let Python code start them, or remove the list.");
        }

        for (var i = 0; i < allowed.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(allowed[i]))
            {
                errors.AddError(Invariant($"{key}:{i} is empty; set an executable name or absolute path, or remove the entry."));
            }
        }

        var environmentKey = K(PythonRuntimeConfigurationKeys.ProcessEnvironmentVariables);
        var variables = options.Processes.EnvironmentVariables;
        for (var i = 0; i < variables.Count; i++)
        {
            var name = variables[i];
            if (string.IsNullOrWhiteSpace(name) || name.Contains('=', StringComparison.Ordinal) || name.AsSpan(0, name.Length - 1).Contains('*'))
            {
                errors.AddError(Invariant($"{environmentKey}:{i} '{name}' is not a variable name or prefix; set a name such as MY_SETTING, a prefix such as MY_APP_* ('*' only at the end), or remove the entry."));
            }
            else if (PythonChildEnvironment.WhyNeverPassed(name) is { } reason)
            {
                errors.AddError(Invariant($"{environmentKey}:{i} '{name}' never reaches a child process ({reason}); remove the entry."));
            }
        }
    }

    private void ValidateEnvironmentVariables(PythonPermissions permissions, ValidateOptionsResultBuilder errors)
    {
        foreach (var name in permissions.EnvironmentVariables.Keys)
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
            {
                errors.AddError($"{K(PythonRuntimeConfigurationKeys.EnvironmentVariables)} '{name}' is not a valid environment variable name; use a non-empty name without '='.");
            }
        }
    }

    private static string JoinAnd(List<string> items) => items.Count == 1
        ? items[0]
        : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
