using System.Runtime.InteropServices;
using System.Text;
using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Modules;

internal sealed unsafe partial class PosixFunctions
{
    /// <summary>The node name the managed backend reports: the host's name is not Python's to read (as <c>socket.gethostname</c> without HostSockets).</summary>
    public const string EmulatedNodeName = "localhost";

    // struct utsname on Linux: six fields of 65 bytes (sysname, nodename, release, version, machine, domainname).
    private const int UtsFieldLength = 65;

    /// <summary>Gets or sets the <c>posix.uname_result</c> type (captured when posix is patched).</summary>
    public nint UnameResultType { get; set; }

    /// <summary><c>os.uname()</c>: the kernel's answer with the node name replaced by <see cref="EmulatedNodeName"/>.</summary>
    private nint Uname(BridgeArgs args)
    {
        var buffer = stackalloc byte[UtsFieldLength * 6];
        if (UnameSystemCall(buffer) != 0)
        {
            return Py.SetOSError(Marshal.GetLastPInvokeError(), "uname failed");
        }

        PosixLog.EmulatedNodeName(_backend.Compatibility, EmulatedNodeName);
        var fields = Py.Tuple(
            Py.NewString(Field(buffer, 0)),
            Py.NewString(EmulatedNodeName),
            Py.NewString(Field(buffer, 2)),
            Py.NewString(Field(buffer, 3)),
            Py.NewString(Field(buffer, 4)));
        var callArgs = Py.Tuple(fields);
        var result = LibPython.PyObject_Call(UnameResultType, callArgs, 0);
        LibPython.Py_DecRef(callArgs);
        return result;
    }

    private static string Field(byte* buffer, int index)
    {
        var field = new ReadOnlySpan<byte>(buffer + (index * UtsFieldLength), UtsFieldLength);
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    [LibraryImport("libc", EntryPoint = "uname", SetLastError = true)]
    private static partial int UnameSystemCall(byte* buffer);
}
