using PyHosting.Internal.Interop;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// A host socket that Python created while <c>Permissions:HostSockets</c> allowed it (<c>socket.socket()</c>,
/// <c>accept</c>, a non-<c>AF_UNIX</c> <c>socketpair</c>), behind a virtual descriptor like every other file of the
/// runtime. The host descriptor and CPython's socket object that owns it (<see cref="Raw"/>, always non-blocking)
/// are held here only: Python code names the socket by its virtual number, so it can neither name a host descriptor
/// it was not given nor reach the object; the runtime's <c>select</c>/<c>poll</c> wait on it with <c>poll</c>.
/// </summary>
internal sealed class HostSocket : OpenFile
{
    private const int EAgain = 11;

    /// <summary>Initializes a new instance of the <see cref="HostSocket"/> class, taking the reference to <paramref name="raw"/>.</summary>
    public HostSocket(nint raw, int hostFd, int family, int type, int protocol)
    {
        Raw = raw;
        HostFd = hostFd;
        Family = family;
        Type = type;
        Protocol = protocol;
    }

    /// <summary>Gets CPython's socket object (a strong reference held by this file; use it with the GIL).</summary>
    public nint Raw { get; private set; }

    /// <summary>Gets the host descriptor (never shown to Python).</summary>
    public int HostFd { get; }

    public int Family { get; }

    /// <summary>Gets or sets a value indicating whether CPython's object takes the socket's timeout (once <c>_ssl</c> wrapped it, it waits itself).</summary>
    public bool FollowsTimeout { get; set; }

    public int Type { get; }

    public int Protocol { get; }

    public override bool Readable => true;

    public override bool Writable => true;

    public override bool ReadReady => (HostDescriptors.Events(HostFd, HostDescriptors.PollIn) & (HostDescriptors.PollIn | HostDescriptors.PollErr | HostDescriptors.PollHup)) != 0;

    public override bool WriteReady => (HostDescriptors.Events(HostFd, HostDescriptors.PollOut) & (HostDescriptors.PollOut | HostDescriptors.PollErr | HostDescriptors.PollHup)) != 0;

    /// <summary>What the host's <c>poll</c> reports for the socket, every event asked for.</summary>
    public override int PollEvents => (ushort)HostDescriptors.Events(HostFd, (short)(State.PollEvents.In | State.PollEvents.Pri | State.PollEvents.Out | State.PollEvents.RdHup | State.PollEvents.RdNorm | State.PollEvents.WrNorm));

    /// <summary><c>os.read</c> on the socket (called without the GIL).</summary>
    public override int Read(Span<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var n = HostDescriptors.Read(HostFd, buffer);
            if (n >= 0)
            {
                return n;
            }

            if (-n != EAgain || !Blocking)
            {
                throw new PythonIOException(-n, System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(-n));
            }

            Readiness.WaitUntil(() => ReadReady, [(HostFd, HostDescriptors.PollIn)], TimeProvider.System, null, cancellationToken);
        }
    }

    /// <summary><c>os.write</c> on the socket.</summary>
    public override int Write(ReadOnlySpan<byte> data)
    {
        while (true)
        {
            var n = HostDescriptors.Write(HostFd, data);
            if (n >= 0)
            {
                return n;
            }

            if (-n != EAgain || !Blocking)
            {
                throw new PythonIOException(-n, System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(-n));
            }

            Readiness.WaitUntil(() => WriteReady, [(HostFd, HostDescriptors.PollOut)], TimeProvider.System, null, CallContext.Current?.CancellationToken ?? CancellationToken.None);
        }
    }

    public override PythonFileStatus Status(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return new PythonFileStatus(PythonFileKind.Other, 0, Modules.StatResult.SIfSock | 0x1ff, now, now, now);
    }

    /// <summary>
    /// Closes the socket through its object (which then never closes the number again) and drops the object. Without
    /// the GIL (the runtime stopping) the object is left as it is: the descriptor closes with the process.
    /// </summary>
    protected override unsafe void Dispose()
    {
        var raw = Raw;
        if (raw == 0 || LibPython.PyGILState_Check() != 1)
        {
            return;
        }

        Raw = 0;
        nint type, value, traceback;
        LibPython.PyErr_Fetch(&type, &value, &traceback); // an error already raised stays the caller's
        var close = Py.GetAttr(raw, "close");
        var result = close == 0 ? 0 : LibPython.PyObject_CallNoArgs(close);
        LibPython.Py_DecRef(close);
        LibPython.Py_DecRef(result);
        LibPython.PyErr_Clear();
        LibPython.PyErr_Restore(type, value, traceback);
        LibPython.Py_DecRef(raw);
        Readiness.Changed();
    }
}
