using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches <c>_socket</c>. <c>_socket.socket</c> is the managed shim's class, whose objects name their socket by a
/// virtual descriptor of the runtime and adopt (<c>fileno=</c>) only the runtime's own socket descriptors;
/// <c>socketpair</c> makes a runtime-internal <c>AF_UNIX</c> stream pair over virtual descriptors
/// (<see cref="VirtualSocket"/>). When <c>Permissions:HostSockets</c> is false, nothing else reaches the network:
/// creating, binding, connecting and every name-service function are refused naming the key, and CPython's own
/// socket type is refused below Python (<c>TypeClassification.Denied</c>). When it is true, <c>socket()</c> makes host
/// sockets, each behind a virtual descriptor too (see the Host part of this class), and the name services are
/// CPython's.
/// </summary>
internal sealed unsafe partial class SocketModule
{
    /// <summary>Functions of <c>_socket</c> that reach nothing outside the interpreter: byte order, address text, the default timeout, ancillary-data sizes.</summary>
    public static readonly HashSet<string> Pure = new(StringComparer.Ordinal)
    {
        "htonl", "htons", "ntohl", "ntohs", "inet_aton", "inet_ntoa", "inet_ntop", "inet_pton",
        "getdefaulttimeout", "setdefaulttimeout", "CMSG_LEN", "CMSG_SPACE",
    };

    /// <summary>Functions that ask the host's network, name services or interfaces: refused naming HostSockets.</summary>
    public static readonly string[] Refused =
    [
        "getaddrinfo", "getnameinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "gethostname", "sethostname",
        "getservbyname", "getservbyport", "getprotobyname", "if_nameindex", "if_nametoindex", "if_indextoname",
    ];

    private const int SockNonBlock = 0x800;
    private const int SockCloexec = 0x80000;
    private const int MsgPeek = 0x2;
    private const int MsgDontWait = 0x40;
    private const int MsgNoSignal = 0x4000;
    private const int MsgWaitAll = 0x100;
    private const int EOpNotSupp = 95;
    private const int EProtoNoSupport = 93;
    private const int ENotSock = 88;
    private const int ETimedOut = 110;

    /// <summary>The most bytes one <c>recv</c> returns (a socket pair's buffer holds as much).</summary>
    private const int MaxReceive = VirtualPipe.Capacity;

    private static nint s_socketType;
    private readonly ManagedBackend _backend;
    private readonly ModulePatcher _patcher;

    /// <summary>Initializes a new instance of the <see cref="SocketModule"/> class, under <paramref name="backend"/>'s permissions.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="patcher">The patcher of the backend's modules.</param>
    public SocketModule(ManagedBackend backend, ModulePatcher patcher)
    {
        _backend = backend;
        _patcher = patcher;
        backend.ManagedSockets = this;
    }

    public int Patch(nint module)
    {
        var host = _backend.Permissions.HostSockets;
        var replaced = new HashSet<string>(StringComparer.Ordinal) { "socket", "SocketType" };
        foreach (var name in Refused)
        {
            var operation = "socket." + name;
            if (!host)
            {
                _patcher.Replace(module, "_socket", name, "*args, **kwargs", _ => throw Refusal(operation));
            }
            else if (name == "sethostname")
            {
                _patcher.Replace(module, "_socket", name, "*args, **kwargs", _ => throw new PythonIOException(Errno.EPERM, "Operation not permitted: socket.sethostname is not supported by the managed backend (it changes the host's name)"));
            }

            replaced.Add(name);
        }

        _patcher.Replace(module, "_socket", "socketpair", "family=1, type=1, proto=0, /", SocketPair);
        _patcher.Replace(module, "_socket", "dup", "fd, /", args => Py.NewInt(_backend.Fds.Dup(Arg.Int(args, 0, "fd"))));
        _patcher.Replace(module, "_socket", "close", "fd, /", args =>
        {
            _backend.Fds.Close(Arg.Int(args, 0, "fd"));
            return Py.NewNone();
        });
        replaced.UnionWith(["socketpair", "dup", "close"]);

        // CPython readies its socket type lazily, when something first uses it; ready now, it is in the subclass tree,
        // where the denied-type pass (which follows this patch) finds and refuses it like any other.
        var original = Py.GetAttr(module, "socket");
        if (original == 0 || ((delegate* unmanaged<nint, int>)LibPython.Export("PyType_Ready"))(original) < 0)
        {
            LibPython.Py_DecRef(original);
            return -1;
        }

        if (host)
        {
            GuardRawType(module, original);
        }

        LibPython.Py_DecRef(original);
        var type = SocketType(module);
        if (Py.SetAttr(module, "socket", type) < 0 || Py.SetAttr(module, "SocketType", type) < 0)
        {
            return -1;
        }

        DenyUnclassified(module, replaced);
        return 0;
    }

    /// <summary>Anything callable left in the module that is neither pure, replaced nor an exception class is refused (a newer CPython's addition).</summary>
    private void DenyUnclassified(nint module, HashSet<string> replaced)
    {
        var dict = LibPython.PyModule_GetDict(module);
        var names = new List<string>();
        nint position = 0, key, value;
        while (LibPython.PyDict_Next(dict, &position, &key, &value) != 0)
        {
            if (Py.ReadString(key) is { } name && !name.StartsWith("__", StringComparison.Ordinal) && LibPython.PyCallable_Check(value) == 1
                && !Py.IsExceptionClass(value) && !Pure.Contains(name) && !replaced.Contains(name))
            {
                names.Add(name);
            }
        }

        foreach (var name in names)
        {
            var qualified = "socket." + name;
            Py.SetAttr(module, name, _backend.FunctionFor("_socket." + name, BridgeSignature.Any, _ => throw new UnsupportedOperationException($"{qualified} is not supported by the managed backend")));
        }
    }

    private PermissionDeniedException Refusal(string operation) =>
        ManagedBackend.Denied($"{operation} denied: {_backend.Key(ManagedBackend.HostSocketsKey)} is false (only socket.socketpair() works, within the runtime)", ManagedBackend.HostSocketsKey);

    /// <summary>The shim's socket class (process-wide, one for every copy of the module), made once with this backend's operations.</summary>
    private nint SocketType(nint module)
    {
        if (s_socketType != 0)
        {
            return s_socketType;
        }

        var ops = LibPython.PyDict_New();
        try
        {
            Put(ops, "adopt", "fileno, family, type, proto, /", Adopt);
            Put(ops, "refuse", "operation, /", args => throw (_backend.Permissions.HostSockets
                ? new PythonIOException(EOpNotSupp, "Operation not supported on the runtime's socket pairs")
                : (Exception)Refusal(StringArgument(Arg.Required(args, 0, "operation"), "operation"))));
            Put(ops, "create", "family, type, proto, /", Create);
            Put(ops, "call", "fd, name, args, timeout, /", HostCall);
            Put(ops, "recv", "fd, bufsize, flags, timeout, /", Receive);
            Put(ops, "recv_into", "fd, buffer, nbytes, flags, timeout, /", ReceiveInto);
            Put(ops, "send", "fd, data, flags, timeout, /", args => Py.NewInt(Send(args, all: false)));
            Put(ops, "sendall", "fd, data, flags, timeout, /", args =>
            {
                Send(args, all: true);
                return Py.NewNone();
            });
            Put(ops, "settimeout", "fd, timeout, /", args =>
            {
                var fd = Arg.Int(args, 0, "fd");
                var file = _backend.Fds.Get(fd);
                // As in CPython, any timeout but None makes the descriptor non-blocking (what set_wakeup_fd checks).
                file.Blocking = file is VirtualSocket or HostSocket
                    ? Timeout(args) is null
                    : throw new PythonIOException(ENotSock, "Socket operation on non-socket");
                if (file is HostSocket { FollowsTimeout: true, Raw: not 0 } wrapped)
                {
                    var timeout = Timeout(args);
                    LibPython.Py_DecRef(Method(wrapped.Raw, "settimeout", Py.Tuple(timeout is not { } t ? Py.NewNone() : LibPython.PyFloat_FromDouble(t.TotalSeconds))));
                }

                return Py.NewNone();
            });
            Put(ops, "shutdown", "fd, how, /", args =>
            {
                Socket(args).Shutdown(Arg.Int(args, 1, "how"));
                return Py.NewNone();
            });
            Put(ops, "close", "fd, /", args =>
            {
                _backend.Fds.Close(Arg.Int(args, 0, "fd"));
                return Py.NewNone();
            });
            var timeout = ModulePatcher.Original("_socket", "getdefaulttimeout");
            if (timeout == 0)
            {
                timeout = Py.GetAttr(module, "getdefaulttimeout");
                LibPython.PyErr_Clear();
            }
            else
            {
                LibPython.Py_IncRef(timeout);
            }

            fixed (byte* n = "getdefaulttimeout\0"u8)
            {
                LibPython.PyDict_SetItemString(ops, n, timeout);
            }

            LibPython.Py_DecRef(timeout);
            var type = ManagedShim.Call("make_socket_type", ops);
            ops = 0; // stolen by the call
            if (type == 0)
            {
                throw new PythonErrorException();
            }

            s_socketType = type; // kept for the process
            return type;
        }
        finally
        {
            LibPython.Py_DecRef(ops);
        }
    }

    private void Put(nint dict, string name, string signature, BridgeHandler handler)
    {
        var f = _backend.FunctionFor("_socket.pair." + name, signature, handler);
        fixed (byte* n = System.Text.Encoding.ASCII.GetBytes(name + "\0"))
        {
            LibPython.PyDict_SetItemString(dict, n, f);
        }
    }

    private VirtualSocket Socket(BridgeArgs args) => SocketAt(Arg.Int(args, 0, "fd"));

    private VirtualSocket SocketAt(int fd) =>
        _backend.Fds.Get(fd) as VirtualSocket ?? throw new PythonIOException(ENotSock, "Socket operation on non-socket");

    private nint SocketPair(BridgeArgs args)
    {
        var family = Arg.Int(args, 0, "family", VirtualSocket.AfUnix);
        var type = Arg.Int(args, 1, "type", VirtualSocket.SockStream);
        var proto = Arg.Int(args, 2, "proto", 0);
        var own = family == VirtualSocket.AfUnix && (type & ~(SockNonBlock | SockCloexec)) == VirtualSocket.SockStream && proto == 0;
        if (!own && _backend.Permissions.HostSockets)
        {
            return HostPair(family, type, proto);
        }

        if (family != VirtualSocket.AfUnix || (type & ~(SockNonBlock | SockCloexec)) != VirtualSocket.SockStream)
        {
            throw new PythonIOException(EOpNotSupp, "Operation not supported: the runtime's socket pairs are AF_UNIX, SOCK_STREAM");
        }

        if (proto != 0 && !_backend.Permissions.HostSockets)
        {
            throw new PythonIOException(EProtoNoSupport, "Protocol not supported");
        }

        var (a, b) = VirtualSocket.Pair(family, VirtualSocket.SockStream, proto);
        a.Blocking = b.Blocking = (type & SockNonBlock) == 0;
        var fdA = _backend.Fds.Add(a);
        int fdB;
        try
        {
            fdB = _backend.Fds.Add(b);
        }
        catch
        {
            _backend.Fds.Close(fdA);
            throw;
        }

        var first = Make(fdA, family, type, proto);
        if (first == 0)
        {
            _backend.Fds.Close(fdB);
            return 0;
        }

        var second = Make(fdB, family, type, proto);
        return Py.Tuple(first, second);
    }

    /// <summary>An instance of the shim's class adopting <paramref name="fd"/>; on failure the descriptor is closed.</summary>
    private nint Make(int fd, int family, int type, int proto)
    {
        var args = Py.Tuple(Py.NewInt(family), Py.NewInt(type), Py.NewInt(proto), Py.NewInt(fd));
        var result = args == 0 ? 0 : LibPython.PyObject_Call(s_socketType, args, 0);
        LibPython.Py_DecRef(args);
        if (result == 0 && _backend.Fds.TryGet(fd, out _))
        {
            _backend.Fds.Close(fd);
        }

        return result;
    }

    /// <summary>
    /// <c>socket(family, type, proto, fileno)</c>: the descriptor must be one of the runtime's socket-pair ends
    /// (a file, a pipe or a number the runtime never opened is refused; no host descriptor is ever looked at).
    /// </summary>
    private nint Adopt(BridgeArgs args)
    {
        var fileno = Arg.Required(args, 0, "fileno");
        var fd = Arg.Long(fileno, "fileno");
        if (fd < 0)
        {
            throw new PythonArgumentException("negative file descriptor", isValueError: true);
        }

        if (fd > int.MaxValue)
        {
            throw new PythonArgumentException("fileno: signed integer is greater than maximum", isValueError: true);
        }

        var family = Arg.Int(args, 1, "family");
        var type = Arg.Int(args, 2, "type");
        var proto = Arg.Int(args, 3, "proto");
        var (ownFamily, ownType, ownProto, isHost) = _backend.Fds.Get((int)fd) switch
        {
            VirtualSocket v => (v.Family, v.Type, v.Protocol, false),
            HostSocket h when h.Raw != 0 => (h.Family, h.Type, h.Protocol, true),
            _ => throw new PythonIOException(ENotSock, "Socket operation on non-socket"),
        };
        return Py.Tuple(
            Py.NewInt(fd),
            Py.NewInt(family == -1 ? ownFamily : family),
            Py.NewInt(type == -1 ? ownType : type),
            Py.NewInt(proto == -1 ? ownProto : proto),
            Py.NewBool(isHost));
    }

    private nint Receive(BridgeArgs args)
    {
        var socket = Socket(args);
        var size = Arg.Long(args, 1, "bufsize");
        if (size < 0)
        {
            throw new PythonArgumentException("negative buffersize in recv", isValueError: true);
        }

        var wait = Waits(Arg.Int(args, 2, "flags"), Timeout(args));
        var buffer = new byte[(int)Math.Min(size, MaxReceive)];
        while (true)
        {
            WaitReady(socket, wait, write: false);
            try
            {
                return Py.NewBytes(buffer.AsSpan(0, socket.Receive(buffer, blocking: false, Token)));
            }
            catch (PythonIOException e) when (wait is not null && e.ErrorNumber == Errno.EAGAIN)
            {
                // Another thread took the data first: wait again.
            }
        }
    }

    private nint ReceiveInto(BridgeArgs args)
    {
        var socket = Socket(args);
        using var buffer = Arg.Buffer(args, 1, "buffer", writable: true);
        var requested = Arg.Long(args, 2, "nbytes");
        if (requested < 0)
        {
            throw new PythonArgumentException("negative buffersize in recv_into", isValueError: true);
        }

        if (requested > buffer.Length)
        {
            throw new PythonArgumentException("buffer too small for requested bytes", isValueError: true);
        }

        var length = (int)Math.Min(requested == 0 ? buffer.Length : requested, MaxReceive);
        var wait = Waits(Arg.Int(args, 3, "flags"), Timeout(args));
        while (true)
        {
            WaitReady(socket, wait, write: false);
            try
            {
                return Py.NewInt(socket.Receive(buffer.Span[..length], blocking: false, Token));
            }
            catch (PythonIOException e) when (wait is not null && e.ErrorNumber == Errno.EAGAIN)
            {
                // Another thread took the data first: wait again.
            }
        }
    }

    private int Send(BridgeArgs args, bool all)
    {
        var socket = Socket(args);
        using var data = Arg.Buffer(args, 1, "data");
        var wait = Waits(Arg.Int(args, 2, "flags"), Timeout(args));
        var sent = 0;
        do
        {
            WaitReady(socket, wait, write: true);
            try
            {
                sent += socket.Send(data.Span[sent..], blocking: false, Token);
            }
            catch (PythonIOException e) when (wait is not null && e.ErrorNumber == Errno.EAGAIN)
            {
                // Another thread filled the buffer first: wait again.
            }
        }
        while ((all || sent == 0) && sent < data.Length);
        return sent;
    }

    private static CancellationToken Token => CallContext.Current?.CancellationToken ?? CancellationToken.None;

    /// <summary>The socket object's timeout: null blocks, zero never waits.</summary>
    private static TimeSpan? Timeout(BridgeArgs args)
    {
        var o = Arg.Optional(args, "timeout");
        return o == 0 ? null : TimeoutOf(Arg.Seconds(o));
    }

    /// <summary>The longest timeout a socket takes, in seconds (CPython's own limit is about as long: its clock's nanoseconds in 64 bits).</summary>
    private const double MaxTimeoutSeconds = 9.2e9;

    /// <summary>A socket timeout as CPython checks it: NaN and negative values are <c>ValueError</c>, one that does not fit <c>OverflowError</c>.</summary>
    private static TimeSpan TimeoutOf(double seconds)
    {
        if (double.IsNaN(seconds))
        {
            throw new PythonArgumentException("Invalid value NaN (not a number)", isValueError: true);
        }

        if (seconds < 0)
        {
            throw new PythonArgumentException("Timeout value out of range", isValueError: true);
        }

        if (seconds > MaxTimeoutSeconds)
        {
            Py.SetError(LibPython.ExcOverflowError, "timeout doesn't fit into C timeval");
            throw new PythonErrorException();
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// Whether and how long an operation waits, as a socket with <paramref name="timeout"/> does: never when the timeout
    /// is zero or <c>MSG_DONTWAIT</c> is given (<c>EAGAIN</c>, null here); otherwise until ready (<see cref="Timeout.InfiniteTimeSpan"/>: no end).
    /// </summary>
    private static TimeSpan? Waits(int flags, TimeSpan? timeout)
    {
        if ((flags & ~(MsgDontWait | MsgNoSignal | MsgWaitAll)) != 0)
        {
            throw new PythonIOException(EOpNotSupp, (flags & MsgPeek) != 0 ? "Operation not supported: MSG_PEEK on the runtime's socket pairs" : "Operation not supported");
        }

        return timeout == TimeSpan.Zero || (flags & MsgDontWait) != 0 ? null : timeout ?? System.Threading.Timeout.InfiniteTimeSpan;
    }

    /// <summary>
    /// Waits, without the GIL and on the runtime's clock, until the socket is ready (then the operation itself never
    /// waits); raises <c>TimeoutError</c> when the timeout passes first; the call's cancellation ends the wait.
    /// </summary>
    private void WaitReady(VirtualSocket socket, TimeSpan? wait, bool write)
    {
        if (wait is not { } limit)
        {
            return;
        }

        var clock = _backend.Clock;
        var ready = SignalWait.WithoutGil(clock, limit == System.Threading.Timeout.InfiniteTimeSpan ? null : limit, (left, token) => Readiness.WaitUntil(() => write ? socket.WriteReady : socket.ReadReady, clock, left, token));
        if (!ready)
        {
            throw new PythonIOException(ETimedOut, "timed out");
        }
    }
}
