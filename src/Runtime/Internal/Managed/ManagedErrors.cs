using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Modules;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed;

/// <summary>Maps .NET exceptions escaping bridge functions to Python exceptions (DESIGN §4 errno table). GIL held.</summary>
internal static unsafe class ManagedErrors
{
    #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
    [ThreadStatic]
    private static string? t_path;
    #pragma warning restore IDE1006

    #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
    [ThreadStatic]
    private static string? t_path2;
    #pragma warning restore IDE1006

    /// <summary>Gets or sets the UnsupportedOperation class (from the first <c>_io</c>): CPython's own class, one per process.</summary>
    public static nint UnsupportedOperationClass { get; set; }

    /// <summary>Sets the file names reported with the next OSError on this thread.</summary>
    public static void SetPaths(string? path, string? path2 = null)
    {
        t_path = path;
        t_path2 = path2;
    }

    public static nint Map(Exception exception, string operation, ManagedBackend? backend)
    {
        var path = t_path;
        var path2 = t_path2;
        t_path = t_path2 = null;
        switch (exception)
        {
            case PermissionDeniedException { IsProbe: true } probe:
                if (backend is not null)
                {
                    Log.ProbeRefused(backend.Logger, operation, probe.Message);
                }

                return Py.SetOSError(Errno.EACCES, probe.Message);
            case PermissionDeniedException denied:
                backend?.OnPermissionDenied(operation, denied.PermissionKey, denied.Message);
                return Py.SetOSError(Errno.EACCES, denied.Message);
            case UnsupportedOperationException unsupported:
                if (backend is not null)
                {
                    CompatibilityLog.Unsupported(backend.Compatibility, unsupported.Message);
                }

                return Py.SetError(UnsupportedOperationClass != 0 ? UnsupportedOperationClass : LibPython.ExcOSError, unsupported.Message);
            case ImportDeniedException { IsStandardLibraryProbe: true } probe:
                if (backend is not null)
                {
                    CompatibilityLog.Unsupported(backend.Compatibility, probe.Message);
                }

                return Py.SetError(LibPython.ExcImportError, probe.Message);
            case ImportDeniedException importDenied:
                backend?.OnPermissionDenied(operation, importDenied.PermissionKey, importDenied.Message);
                return Py.SetError(LibPython.ExcImportError, importDenied.Message);
            case NotImplementedAccessException notImplemented:
                return Py.SetError(LibPython.ExcNotImplementedError, notImplemented.Message);
            case PythonArgumentException argument:
                return Py.SetError(argument.IsValueError ? LibPython.ExcValueError : LibPython.ExcTypeError, argument.Message);
            case OperationCanceledException:
                return Py.SetError(LibPython.ExcKeyboardInterrupt, "the call was cancelled");
            case PythonIOException io:
                // Python reports strerror and its own file names, not a stock provider's wording with mount-relative paths.
                return Py.SetOSError(io.ErrorNumber, ProviderCalls.IsStock(io) ? Providers.Internal.FileSystemErrors.Describe(io.ErrorNumber) : io.Message, path, path2);
            case ArgumentException:
                // A provider refusing a path it cannot represent.
                return Py.SetOSError(Errno.EINVAL, "Invalid argument", path, path2);
            case FileNotFoundException or DirectoryNotFoundException:
                return Py.SetOSError(Errno.ENOENT, "No such file or directory", path, path2);
            case UnauthorizedAccessException:
                return Py.SetOSError(Errno.EACCES, "Permission denied", path, path2);
            case NotSupportedException notSupported:
                return Py.SetError(UnsupportedOperationClass != 0 ? UnsupportedOperationClass : LibPython.ExcOSError, notSupported.Message);
            case OutOfMemoryException:
                return Py.SetError(LibPython.ExcMemoryError, "out of memory in a provider");
            case IOException io when io.HResult is > 0 and < 200:
                return Py.SetOSError(io.HResult, io.Message, path, path2);
            case IOException io when IsDiskFull(io):
                return Py.SetOSError(Errno.ENOSPC, "No space left on device", path, path2);
            default:
                if (backend is not null)
                {
                    Log.ProviderFault(backend.Logger, operation, exception);
                }

                return Py.SetOSError(Errno.EIO, "Input/output error", path, path2);
        }
    }

    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 0x70 or 0x27;
}
