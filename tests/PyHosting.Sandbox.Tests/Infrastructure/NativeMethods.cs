using System.Runtime.InteropServices;

namespace PyHosting.Sandbox.Tests.Infrastructure;

/// <summary>
/// The C library's view of the process. .NET caches the environment at start-up, so a real
/// <c>setenv</c> from native code would only show in <c>getenv</c>; the C locale is likewise invisible to .NET.
/// </summary>
internal static partial class NativeMethods
{
    private const int LcAll = 6;

    public static string? GetEnvironmentVariable(string name)
    {
        var value = getenv(name);
        return value == 0 ? null : Marshal.PtrToStringUTF8(value);
    }

    public static string? CurrentLocale()
    {
        var value = setlocale(LcAll, 0);
        return value == 0 ? null : Marshal.PtrToStringUTF8(value);
    }

    /// <summary>The C library's zone as <c>localtime</c> would use it: <c>tzset()</c> (reading the process's TZ), then <c>tzname</c> and <c>timezone</c>.</summary>
    public static unsafe string CurrentTimeZone()
    {
        tzset();
        var libc = NativeLibrary.Load("libc.so.6");
        try
        {
            var names = (nint*)NativeLibrary.GetExport(libc, "tzname");
            var offset = *(long*)NativeLibrary.GetExport(libc, "timezone");
            return $"{Marshal.PtrToStringUTF8(names[0])}/{Marshal.PtrToStringUTF8(names[1])} {offset.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }
        finally
        {
            NativeLibrary.Free(libc);
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getenv(string name);

    [LibraryImport("libc")]
    private static partial void tzset();

    [LibraryImport("libc")]
    private static partial nint setlocale(int category, nint locale);
}
