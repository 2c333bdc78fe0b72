using PyHosting.Internal.Managed.State;

namespace PyHosting.Internal.Managed;

/// <summary>Permission checks. Every check of the Managed backend happens here, on the .NET side of the bridge.</summary>
internal sealed partial class ManagedBackend
{
    public const string IOKey = PythonRuntimeConfigurationKeys.IO;
    public const string CreateThreadKey = PythonRuntimeConfigurationKeys.CreateThread;
    public const string CreateProcessKey = PythonRuntimeConfigurationKeys.CreateProcess;
    public const string NativeAccessKey = PythonRuntimeConfigurationKeys.NativeAccess;
    public const string HostSocketsKey = PythonRuntimeConfigurationKeys.HostSockets;
    public const string NativeExtensionsKey = PythonRuntimeConfigurationKeys.NativeExtensions;

    /// <summary>
    /// Spells a key of the default section (the constants above, which the <c>permission</c> tag of the denial metric
    /// keeps) as this runtime's own key, e.g. <c>PythonRuntime:Runtimes:formulas:Permissions:IO</c>: the key a refusal's
    /// message names is the one that allows the operation in this runtime.
    /// </summary>
    /// <param name="key">A key of the default section.</param>
    /// <returns>The key under this runtime's configuration section.</returns>
    public string Key(string key) => Options.Key(key);

    /// <summary>Built-in modules that never exist in the Managed backend, or only with a permission.</summary>
    private static readonly HashSet<string> AlwaysDropped = new(StringComparer.Ordinal)
    {
        "faulthandler", // starts a watchdog thread and writes to real descriptors
        "spwd",         // reads /etc/shadow
        "pwd",          // reads the host's user database
        "grp",          // reads the host's group database
        "syslog",       // writes to the host's system log
        "_posixsubprocess", // replaced by the managed process layer (see ManagedStartup)
        "_tracemalloc",
        "xxsubtype",
    };

    /// <summary>Why a built-in module was left out, for the ImportError Python code sees.</summary>
    public static string WhyUnavailable(string name) => name switch
    {
        "_posixsubprocess" => "the managed backend provides its own (use subprocess)",
        _ => "it reaches the host process directly",
    };

    /// <summary>Whether a built-in module exists. <c>_socket</c> always does: without HostSockets it is tamed (<see cref="Modules.SocketModule"/>).</summary>
    private bool KeepBuiltin(string name) => !AlwaysDropped.Contains(name);

    /// <summary>Reading file contents.</summary>
    public void CheckRead(string path, string operation)
    {
        if (Permissions.IO != IOAccess.None || FileSystem.IsSystemPath(path))
        {
            return;
        }

        throw Denied($"{operation} '{path}' denied: {Key(IOKey)} is None", IOKey);
    }

    /// <summary>Reading metadata (stat, listdir, readlink): also allowed below module paths, where imports look.</summary>
    public void CheckMetadata(string path, string operation)
    {
        if (Permissions.IO != IOAccess.None || FileSystem.IsSystemPath(path) || IsCodePath(path))
        {
            return;
        }

        throw new PermissionDeniedException($"{operation} '{path}' denied: {Key(IOKey)} is None", IOKey) { IsProbe = true };
    }

    /// <summary>Reading code to import it (<c>io.open_code</c>).</summary>
    public void CheckReadCode(string path)
    {
        if (Permissions.IO != IOAccess.None || FileSystem.IsSystemPath(path) || IsCodePath(path))
        {
            return;
        }

        throw Denied($"reading code '{path}' denied: {Key(IOKey)} is None and the path is not under {Key(PythonRuntimeConfigurationKeys.ModulePaths)}", IOKey);
    }

    /// <summary>Any change to the file system.</summary>
    public void CheckWrite(string path, string operation)
    {
        if (FileSystem.IsSystemPath(path))
        {
            throw new Providers.PythonIOException(Providers.Errno.EROFS, "Read-only file system");
        }

        if (Permissions.IO == IOAccess.All)
        {
            // The previous change to an in-memory file system is counted now.
            FileSystem.Charge.Sync();
            return;
        }

        throw Denied($"{operation} '{path}' denied: {Key(IOKey)} is {Permissions.IO}", IOKey);
    }

    public void CheckCreateThread(string operation)
    {
        if (!Permissions.CreateThread)
        {
            throw Denied($"{operation} denied: {Key(CreateThreadKey)} is false", CreateThreadKey);
        }
    }

    public void CheckCreateProcess(string operation)
    {
        if (!Permissions.CreateProcess)
        {
            throw Denied($"{operation} denied: {Key(CreateProcessKey)} is false", CreateProcessKey);
        }
    }

    public void CheckNativeAccess(string operation)
    {
        if (!Permissions.NativeAccess)
        {
            throw Denied($"{operation} denied: {Key(NativeAccessKey)} is false", NativeAccessKey);
        }
    }

    private bool IsCodePath(string path)
    {
        foreach (var root in CodeRoots)
        {
            if (ManagedPath.IsUnder(path, root))
            {
                return true;
            }
        }

        return false;
    }

    public static PermissionDeniedException Denied(string message, string key) => new(message, key);
}
