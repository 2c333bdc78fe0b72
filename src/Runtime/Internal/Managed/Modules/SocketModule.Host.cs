using System.Runtime.InteropServices;
using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Internal.Managed.State;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Host sockets (<c>Permissions:HostSockets</c> true). CPython's socket type makes them, but Python never holds one
/// of its objects: <c>socket.socket()</c>, <c>accept</c> and a non-<c>AF_UNIX</c> <c>socketpair</c> put each new
/// host socket behind a virtual descriptor (<see cref="HostSocket"/>), and the shim's socket forwards its operations
/// here by that number. So a host socket only exists when HostSockets allowed its creation, host descriptor numbers
/// (fd 0/1/2, the host's own sockets, anything the host process inherited) cannot be named from Python, and the
/// runtime's <c>select</c>/<c>poll</c> wait on virtual and host sockets together. CPython's type itself refuses to be
/// constructed from Python (<see cref="GuardedNew"/>), so its <c>fileno=</c> adoption and its <c>sendmsg</c> with
/// <c>SCM_RIGHTS</c> cannot be reached; descriptors are never sent, and descriptors received are closed.
/// </summary>
internal sealed unsafe partial class SocketModule
{
    private const int TpNewOffset = 312;
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int SoError = 4;
    private const int MsgCtrunc = 0x8;
    private const int EInProgress = 115;
    private const int EWouldBlock = 11;
    private const int AfInet = 2;
    private const int AfInet6 = 10;
    private const int SockDgram = 2;
    private const int SockSeqPacket = 5;
    private const int SockTypeMask = 0xF;
    private const int ELoop = 40;

    /// <summary>Operations a host socket forwards to CPython's object without waiting.</summary>
    private static readonly HashSet<string> Direct = new(StringComparer.Ordinal) { "bind", "listen", "getsockname", "getpeername", "getsockopt", "setsockopt", "shutdown" };

    /// <summary>Operations that wait until the socket is readable (when its timeout is not zero).</summary>
    private static readonly HashSet<string> Reads = new(StringComparer.Ordinal) { "recv", "recvfrom", "recv_into", "recvfrom_into", "recvmsg", "recvmsg_into", "_accept" };

    /// <summary>Operations that wait until the socket is writable.</summary>
    private static readonly HashSet<string> Writes = new(StringComparer.Ordinal) { "send", "sendto", "sendmsg" };

    private static nint s_rawType;
    private static nint s_rawWeakType;

    /// <summary>Gets the type the runtime makes host sockets' objects of.</summary>
    private static nint RawType => s_rawWeakType != 0 ? s_rawWeakType : s_rawType;
    private static nint s_rawNew;
    private static nint s_rawSocketPair;

    [ThreadStatic]
    private static bool s_trusted;

    private static SocketModule? s_host;
    private static nint s_wrapSocket;

    private static nint BlockingIOError => *(nint*)LibPython.Export("PyExc_BlockingIOError");

    private static nint TimeoutError => *(nint*)LibPython.Export("PyExc_TimeoutError");

    /// <summary>
    /// Keeps CPython's socket type (a static type, shared by every copy of the module) for the runtime and makes its
    /// constructor refuse every other caller. Called with HostSockets, before the shim's type replaces it in the module.
    /// </summary>
    private static void GuardRawType(nint module, nint original)
    {
        var socketPair = ModulePatcher.Original("_socket", "socketpair");
        if (s_rawSocketPair == 0 && socketPair != 0)
        {
            LibPython.Py_IncRef(socketPair);
            s_rawSocketPair = socketPair;
        }

        var guard = (nint)(delegate* unmanaged<nint, nint, nint, nint>)&GuardedNew;
        var slot = (nint*)(original + TpNewOffset);
        if (*slot != guard)
        {
            s_rawNew = *slot;
            LibPython.Py_IncRef(original);
            s_rawType = original; // kept for the process
            *slot = guard;
            LibPython.PyType_Modified(original);
        }

        if (s_rawWeakType == 0)
        {
            // The runtime's objects are of a subclass that can be weakly referenced, as _ssl needs (its constructor is the guarded one).
            var slots = Py.Tuple(Py.NewString("__weakref__"));
            var dict = LibPython.PyDict_New();
            if (slots != 0 && dict != 0)
            {
                fixed (byte* key = "__slots__\0"u8)
                {
                    LibPython.PyDict_SetItemString(dict, key, slots);
                }

                LibPython.Py_IncRef(original);
                var definition = Py.Tuple(Py.NewString("socket"), Py.Tuple(original), dict);
                dict = 0; // stolen by the tuple
                var made = definition == 0 ? 0 : LibPython.PyObject_Call(LibPython.Export("PyType_Type"), definition, 0);
                LibPython.Py_DecRef(definition);
                LibPython.PyErr_Clear();
                s_rawWeakType = made; // kept for the process; 0: the base type (no ssl)
            }

            LibPython.Py_DecRef(slots);
            LibPython.Py_DecRef(dict);
        }

        _ = module;
    }

    /// <summary>CPython's socket constructor, for the runtime only: from Python (a subclass, <c>__new__</c>) it refuses.</summary>
    [UnmanagedCallersOnly]
    private static nint GuardedNew(nint type, nint args, nint kwargs)
    {
        if (!s_trusted || s_rawNew == 0)
        {
            return Py.SetError(LibPython.ExcPermissionError, "CPython's own socket type is not constructible in the managed backend: socket.socket() makes host sockets (behind the runtime's descriptors)");
        }

        return ((delegate* unmanaged<nint, nint, nint, nint>)s_rawNew)(type, args, kwargs);
    }

    /// <summary>Calls CPython's socket type (or its socketpair) as the runtime; a new reference, or 0 with the error set.</summary>
    private static nint Trusted(nint callable, nint args)
    {
        var previous = s_trusted;
        s_trusted = true;
        try
        {
            return Py.Call(callable, args, 0, "_socket.socket");
        }
        finally
        {
            s_trusted = previous;
        }
    }

    /// <summary><c>socket(family, type, proto)</c> with no descriptor: a new host socket, when HostSockets allows it.</summary>
    private nint Create(BridgeArgs args)
    {
        if (!_backend.Permissions.HostSockets || s_rawType == 0)
        {
            throw Refusal("creating a socket");
        }

        var family = Arg.Long(args, 0, "family");
        var type = Arg.Long(args, 1, "type");
        CheckKind(family, type);
        var a = Py.Tuple(Py.NewInt(family), Py.NewInt(type), Py.NewInt(Arg.Long(args, 2, "proto")));
        var raw = Trusted(RawType, a);
        LibPython.Py_DecRef(a);
        if (raw == 0)
        {
            throw new PythonErrorException();
        }

        var (fd, socket) = Register(raw);
        return Py.Tuple(Py.NewInt(fd), Py.NewInt(socket.Family), Py.NewInt(socket.Type), Py.NewInt(socket.Protocol), Py.NewBool(true));
    }

    /// <summary>
    /// The kinds of host socket there are: <c>AF_INET</c>, <c>AF_INET6</c> and <c>AF_UNIX</c>, stream, datagram or
    /// sequenced packets (<c>-1</c> lets CPython choose its default, <c>AF_INET</c> stream). The kernel's other
    /// families (<c>AF_NETLINK</c> changes the host's network configuration when the host may, <c>AF_PACKET</c> and
    /// <c>SOCK_RAW</c> read and forge any traffic, <c>AF_ALG</c>, <c>AF_VSOCK</c>, ...) are not the network that
    /// HostSockets grants: <c>io.UnsupportedOperation</c>, before anything is made.
    /// </summary>
    private static void CheckKind(long family, long type)
    {
        if (family is not (-1 or AfInet or AfInet6 or VirtualSocket.AfUnix))
        {
            throw new UnsupportedOperationException($"socket family {family} is not supported by the managed backend: host sockets are AF_INET, AF_INET6 or AF_UNIX");
        }

        if (type != -1 && (type & SockTypeMask) is not (VirtualSocket.SockStream or SockDgram or SockSeqPacket))
        {
            throw new UnsupportedOperationException($"socket type {type & SockTypeMask} is not supported by the managed backend: host sockets are SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET (no raw sockets)");
        }
    }

    /// <summary>
    /// The address argument of <paramref name="name"/> on an <c>AF_UNIX</c> host socket, put through the runtime's
    /// file system: a path is resolved against the working directory and mapped through the mount table to the host
    /// path of a directory mounted from the host (links resolved inside the mount), and binding or connecting needs
    /// <c>Permissions:IO=All</c> (both are writes: binding makes a file, connecting needs write access to it). An
    /// abstract-namespace name (a leading NUL) is refused: that namespace is shared by every process of the host's
    /// network namespace and no mount governs it. The empty address (the kernel's automatic name) passes.
    /// </summary>
    private void CheckAddress(HostSocket socket, string name, nint callArgs)
    {
        var size = TupleSize(callArgs);
        var index = name switch
        {
            "bind" or "connect" or "connect_ex" => 0,
            "sendto" => size - 1,
            "sendmsg" => 3,
            _ => -1,
        };
        if (socket.Family != VirtualSocket.AfUnix || index < 0 || index >= size || (name == "sendto" && size < 2))
        {
            return;
        }

        var address = TupleItem(callArgs, index);
        if (address == LibPython.None && name == "sendmsg")
        {
            return;
        }

        // The bytes CPython would give the kernel (a str in the file-system encoding, surrogateescape), read as UTF-8.
        byte[] bytes;
        if (Py.IsInstanceOfFlag(address, Py.TpFlagsUnicodeSubclass))
        {
            var encode = (delegate* unmanaged<nint, nint>)LibPython.Export("PyUnicode_EncodeFSDefault");
            var encoded = encode(address);
            if (encoded == 0)
            {
                throw new PythonErrorException();
            }

            try
            {
                bytes = Py.ReadBytes(encoded).ToArray();
            }
            finally
            {
                LibPython.Py_DecRef(encoded);
            }
        }
        else
        {
            using var buffer = Arg.BufferOf(address);
            bytes = buffer.Span.ToArray();
        }

        if (bytes.Length == 0)
        {
            return;
        }

        if (bytes[0] == 0)
        {
            throw new UnsupportedOperationException($"socket.{name} to an abstract AF_UNIX address is not supported by the managed backend: the abstract namespace is the host's, shared with every process, and no mount governs it (use a path in a directory mounted from the host)");
        }

        string text;
        try
        {
            text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (ArgumentException)
        {
            throw new PythonArgumentException("AF_UNIX path is not valid UTF-8 (the managed backend maps AF_UNIX paths through its mounts)", isValueError: true);
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new PythonArgumentException("embedded null character in AF_UNIX path", isValueError: true);
        }

        var path = ManagedPath.Resolve(_backend.WorkingDirectory, text);
        var binding = name == "bind";
        _backend.CheckWrite(path, binding ? "binding an AF_UNIX socket to" : "connecting to the AF_UNIX socket");
        var (fs, inner, _) = _backend.FileSystem.Route(path);

        // What the kernel is given names an existing entry, resolved by the mount's file system inside the mount, and
        // holds no link (a name that does not resolve would be joined to the mount's root as it is: a link on the way,
        // one to outside the mount made by the script, would be followed by the kernel). Binding makes the last name,
        // which bind never follows.
        var existing = binding ? PyHosting.Providers.PythonPath.GetParent(inner) ?? PyHosting.Providers.PythonPath.Root : inner;
        var status = fs.GetStatus(existing);
        if (status is null || (binding && status.Kind != PyHosting.Providers.PythonFileKind.Directory))
        {
            throw new PythonIOException(Errno.ENOENT, "No such file or directory");
        }

        var resolved = fs.GetHostPath(existing);
        if (resolved is null)
        {
            throw new UnsupportedOperationException($"'{path}' has no host file (its mount is not a directory of the host), so no AF_UNIX socket can be there: the managed backend binds and connects AF_UNIX sockets only in directories mounted from the host");
        }

        if (HasLink(resolved))
        {
            throw new PythonIOException(ELoop, "Too many levels of symbolic links");
        }

        var host = binding ? System.IO.Path.Join(resolved, PyHosting.Providers.PythonPath.GetName(inner)) : resolved;
        var mapped = Py.NewBytes(System.Text.Encoding.UTF8.GetBytes(host));
        if (mapped == 0 || LibPython.PyTuple_SetItem(callArgs, index, mapped) < 0)
        {
            throw new PythonErrorException();
        }
    }

    /// <summary>Whether any part of the absolute host path <paramref name="hostPath"/> is a symbolic link.</summary>
    private static bool HasLink(string hostPath)
    {
        var end = hostPath.Length;
        while (end > 1)
        {
            var part = hostPath[..end];
            try
            {
                if (new FileInfo(part).LinkTarget is not null)
                {
                    return true;
                }
            }
            catch (IOException)
            {
                return true;
            }
            catch (UnauthorizedAccessException)
            {
                return true;
            }

            end = part.LastIndexOf('/');
        }

        return false;
    }

    /// <summary>Puts CPython's socket object <paramref name="raw"/> (whose reference this takes) behind a new virtual descriptor, non-blocking.</summary>
    private (int Fd, HostSocket Socket) Register(nint raw)
    {
        HostSocket socket;
        try
        {
            var blocking = Method(raw, "setblocking", Py.Tuple(Py.NewBool(false)));
            LibPython.Py_DecRef(blocking);
            var hostFd = (int)IntOf(Method(raw, "fileno", LibPython.PyTuple_New(0)));
            var family = (int)IntOf(Py.GetAttr(raw, "family"));
            var type = (int)IntOf(Py.GetAttr(raw, "type"));
            var proto = (int)IntOf(Py.GetAttr(raw, "proto"));
            socket = new HostSocket(raw, hostFd, family, type, proto);
        }
        catch
        {
            LibPython.Py_DecRef(raw); // its deallocation closes the host descriptor
            throw;
        }

        return (_backend.Fds.Add(socket), socket); // a full table releases the socket, closing it
    }

    /// <summary>Calls <paramref name="name"/> on <paramref name="target"/> with <paramref name="args"/> (stolen); throws when Python raised.</summary>
    private static nint Method(nint target, string name, nint args)
    {
        var method = args == 0 ? 0 : Py.GetAttr(target, name);
        var result = method == 0 ? 0 : LibPython.PyObject_Call(method, args, 0);
        LibPython.Py_DecRef(method);
        LibPython.Py_DecRef(args);
        return result != 0 ? result : throw new PythonErrorException();
    }

    /// <summary>Reads and releases an int result.</summary>
    private static long IntOf(nint o)
    {
        if (o == 0)
        {
            throw new PythonErrorException();
        }

        try
        {
            return Arg.Long(o, "value");
        }
        finally
        {
            LibPython.Py_DecRef(o);
        }
    }

    /// <summary>
    /// <c>socketpair</c> other than the runtime's own <c>AF_UNIX</c> stream pair, with HostSockets: CPython makes the
    /// pair, each end goes behind a virtual descriptor.
    /// </summary>
    private nint HostPair(int family, int type, int proto)
    {
        CheckKind(family, type);
        var a = Py.Tuple(Py.NewInt(family), Py.NewInt(type), Py.NewInt(proto));
        var pair = s_rawSocketPair == 0 ? 0 : Trusted(s_rawSocketPair, a);
        LibPython.Py_DecRef(a);
        if (pair == 0)
        {
            throw s_rawSocketPair == 0 ? new UnsupportedOperationException("socket.socketpair of this family is not supported by the managed backend") : new PythonErrorException();
        }

        nint first, second;
        try
        {
            first = Item(pair, 0);
            second = Item(pair, 1);
        }
        finally
        {
            LibPython.Py_DecRef(pair);
        }

        int fdA;
        try
        {
            fdA = Register(first).Fd;
        }
        catch
        {
            LibPython.Py_DecRef(second);
            throw;
        }

        int fdB;
        try
        {
            fdB = Register(second).Fd;
        }
        catch
        {
            _backend.Fds.Close(fdA);
            throw;
        }

        var x = Make(fdA, family, type, proto);
        if (x == 0)
        {
            _backend.Fds.Close(fdB);
            return 0;
        }

        return Py.Tuple(x, Make(fdB, family, type, proto));
    }

    private static nint Item(nint sequence, int index)
    {
        var getItem = (delegate* unmanaged<nint, nint, nint>)LibPython.Export("PySequence_GetItem");
        var item = getItem(sequence, index);
        return item != 0 ? item : throw new PythonErrorException();
    }

    private static long Length(nint sequence)
    {
        var size = (delegate* unmanaged<nint, nint>)LibPython.Export("PySequence_Size");
        var n = size(sequence);
        return n >= 0 ? n : throw new PythonErrorException();
    }

    /// <summary>
    /// With HostSockets, a registered <c>_ssl</c> wraps host sockets: its <c>_SSLContext._wrap_socket</c>, which needs
    /// CPython's socket object, receives the runtime's object behind the shim socket's descriptor (Python still never
    /// holds it: the SSL object keeps only a weak reference to it). The wrapped socket's timeout is CPython's from then
    /// on, as <c>_ssl</c> waits on it. Called when an extension module is executed; other modules are left alone.
    /// </summary>
    public static void PatchIfSsl(ManagedBackend backend, nint module)
    {
        if (!backend.Permissions.HostSockets || s_socketType == 0)
        {
            return;
        }

        var name = Py.GetAttr(module, "__name__");
        var text = name != 0 && Py.IsInstanceOfFlag(name, Py.TpFlagsUnicodeSubclass) ? Py.ReadString(name) : null;
        LibPython.Py_DecRef(name);
        LibPython.PyErr_Clear();
        if (text != "_ssl")
        {
            return;
        }

        var context = Py.GetAttr(module, "_SSLContext");
        LibPython.PyErr_Clear();
        if (context == 0)
        {
            return;
        }

        try
        {
            for (var def = *(nint*)(context + TpMethodsOffset); def != 0 && *(nint*)def != 0; def += MethodDefSize)
            {
                if (Hardening.MethodDefinitions.Name(def) == "_wrap_socket" && (Hardening.MethodDefinitions.Flags(def) & ~0x30) == MethFastCallKeywords)
                {
                    s_host = backend.ManagedSockets;
                    var original = Hardening.MethodDefinitions.Replace(def, MethFastCallKeywords, (nint)(delegate* unmanaged<nint, nint*, nint, nint, nint>)&WrapSocket);
                    if (s_wrapSocket == 0)
                    {
                        s_wrapSocket = original;
                    }

                    return;
                }
            }
        }
        finally
        {
            LibPython.Py_DecRef(context);
        }
    }

    private const int TpMethodsOffset = 232;
    private const int MethodDefSize = 32;
    private const int MethFastCallKeywords = 0x80 | 0x2;

    /// <summary><c>_SSLContext._wrap_socket(sock, ...)</c> with a shim socket over a host socket: the call gets the runtime's object.</summary>
    [UnmanagedCallersOnly]
    private static nint WrapSocket(nint self, nint* args, nint nargs, nint kwnames)
    {
        var original = (delegate* unmanaged<nint, nint*, nint, nint, nint>)s_wrapSocket;
        try
        {
            var raw = nargs >= 1 && s_host is { } host ? host.RawFor(args[0]) : 0;
            if (raw == 0)
            {
                return LibPython.PyErr_Occurred() != 0 ? 0 : original(self, args, nargs, kwnames);
            }

            var total = (int)nargs + (kwnames == 0 ? 0 : (int)Length(kwnames));
            var copy = new nint[total];
            for (var i = 0; i < total; i++)
            {
                copy[i] = args[i];
            }

            copy[0] = raw;
            fixed (nint* p = copy)
            {
                return original(self, p, nargs, kwnames);
            }
        }
        catch (PythonErrorException)
        {
            return 0;
        }
        catch (Exception e)
        {
            return Py.SetError(LibPython.ExcOSError, "ssl: " + e.Message);
        }
    }

    /// <summary>CPython's object behind a shim socket over a host socket (borrowed, held by the descriptor), its timeout set to the shim's; 0 for anything else.</summary>
    private nint RawFor(nint socket)
    {
        if (LibPython.PyObject_IsInstance(socket, s_socketType) != 1)
        {
            LibPython.PyErr_Clear();
            return 0;
        }

        var fdObject = Py.GetAttr(socket, "_fd");
        LibPython.PyErr_Clear();
        if (fdObject == 0)
        {
            return 0;
        }

        var fd = IntOf(fdObject);
        if (fd < 0 || fd >= FdTable.MaxDescriptors || !_backend.Fds.TryGet((int)fd, out var file) || file is not HostSocket { Raw: not 0 } host)
        {
            return 0;
        }

        var timeout = Py.GetAttr(socket, "_timeout");
        if (timeout == 0)
        {
            throw new PythonErrorException();
        }

        LibPython.Py_DecRef(Method(host.Raw, "settimeout", Py.Tuple(timeout)));
        host.FollowsTimeout = true;
        return host.Raw;
    }

    /// <summary>
    /// An operation of a host socket, by the shim's socket (<c>fd, name, args, timeout</c>): <paramref name="args"/>
    /// are the method's own. Reads and writes wait on the runtime's clock, without the GIL and cancellable, while the
    /// timeout allows (CPython's object itself never blocks).
    /// </summary>
    private nint HostCall(BridgeArgs args)
    {
        var fd = Arg.Int(args, 0, "fd");
        var socket = HostSocketAt(fd);
        var name = StringArgument(Arg.Required(args, 1, "name"), "name");
        var timeout = Timeout(args);
        var callArgs = Snapshot(Arg.Required(args, 2, "args"));
        try
        {
            return HostCall(fd, socket, name, callArgs, timeout);
        }
        finally
        {
            LibPython.Py_DecRef(callArgs);
        }
    }

    private nint HostCall(int fd, HostSocket socket, string name, nint callArgs, TimeSpan? timeout)
    {
        if (Direct.Contains(name))
        {
            CheckAddress(socket, name, callArgs);
            return Forward(socket, name, callArgs);
        }

        if (name is "connect" or "connect_ex")
        {
            try
            {
                CheckAddress(socket, name, callArgs);
            }
            catch (PythonIOException e) when (name == "connect_ex")
            {
                return Py.NewInt(e.ErrorNumber); // as connect_ex reports the kernel's errors; refusals still raise
            }

            return Connect(fd, socket, name, callArgs, timeout);
        }

        if (!Reads.Contains(name) && !Writes.Contains(name))
        {
            throw new UnsupportedOperationException($"socket.{name} is not supported by the managed backend");
        }

        if (name == "sendmsg" && TupleSize(callArgs) > 1)
        {
            // CPython sends what was checked: the ancillary data is copied into plain tuples of ints and bytes first.
            if (LibPython.PyTuple_SetItem(callArgs, 1, Ancillary(TupleItem(callArgs, 1))) < 0)
            {
                throw new PythonErrorException();
            }
        }

        CheckAddress(socket, name, callArgs);
        var result = Waiting(fd, name, callArgs, timeout, Reads.Contains(name));
        return name switch
        {
            "_accept" => Accepted(socket, result),
            "recvmsg" or "recvmsg_into" => WithoutDescriptors(result),
            _ => result,
        };
    }

    /// <summary>A <c>str</c> argument's text; anything else is a <c>TypeError</c> (no Python error is left set).</summary>
    private static string StringArgument(nint o, string name)
    {
        if (!Py.IsInstanceOfFlag(o, Py.TpFlagsUnicodeSubclass))
        {
            throw new PythonArgumentException($"{name} must be str, not {Py.TypeName(o)}");
        }

        return Py.ReadString(o) ?? throw new PythonErrorException();
    }

    /// <summary>
    /// A new plain tuple of a tuple's own items (a subclass's <c>__getitem__</c> and <c>__len__</c> are not asked),
    /// so that what is checked is what CPython's method receives; anything but a tuple is a <c>TypeError</c>.
    /// </summary>
    private static nint Snapshot(nint tuple)
    {
        if (!Py.IsInstanceOfFlag(tuple, Py.TpFlagsTupleSubclass))
        {
            throw new PythonArgumentException($"args must be a tuple, not {Py.TypeName(tuple)}");
        }

        var size = TupleSize(tuple);
        var copy = LibPython.PyTuple_New(size);
        if (copy == 0)
        {
            throw new PythonErrorException();
        }

        for (var i = 0; i < size; i++)
        {
            var item = TupleItem(tuple, i);
            LibPython.Py_IncRef(item);
            LibPython.PyTuple_SetItem(copy, i, item);
        }

        return copy;
    }

    private static nint TupleSize(nint tuple) => *(nint*)(tuple + 16);

    /// <summary>A tuple's item, borrowed, from its own storage.</summary>
    private static nint TupleItem(nint tuple, nint index) => *(nint*)(tuple + 24 + (index * 8));

    private HostSocket HostSocketAt(int fd)
    {
        var socket = _backend.Fds.Get(fd) as HostSocket ?? throw new PythonIOException(ENotSock, "Socket operation on non-socket");
        return socket.Raw != 0 ? socket : throw new PythonIOException(Errno.EBADF, "Bad file descriptor");
    }

    /// <summary>Calls the method on CPython's object; a new reference, or throws with the Python error set.</summary>
    private static nint Forward(HostSocket socket, string name, nint callArgs)
    {
        LibPython.Py_IncRef(callArgs);
        return Method(socket.Raw, name, callArgs);
    }

    /// <summary>Whether the error set is <c>BlockingIOError</c> (<c>EAGAIN</c>, <c>EINPROGRESS</c>).</summary>
    private static bool WouldBlock()
    {
        var error = LibPython.PyErr_Occurred();
        return error != 0 && LibPython.PyErr_GivenExceptionMatches(error, BlockingIOError) != 0;
    }

    private nint Waiting(int fd, string name, nint callArgs, TimeSpan? timeout, bool read)
    {
        var start = _backend.Clock.GetTimestamp();
        while (true)
        {
            var socket = HostSocketAt(fd); // closed by another thread during the wait: EBADF
            try
            {
                return Forward(socket, name, callArgs);
            }
            catch (PythonErrorException) when (timeout != TimeSpan.Zero && WouldBlock())
            {
                LibPython.PyErr_Clear();
            }

            if (!WaitHost(socket, read, Remaining(start, timeout)))
            {
                throw TimedOut();
            }
        }
    }

    /// <summary>What is left of <paramref name="timeout"/> (null: no end).</summary>
    private TimeSpan? Remaining(long start, TimeSpan? timeout) =>
        timeout is { } t ? (t - _backend.Clock.GetElapsedTime(start) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero) : null;

    private static PythonErrorException TimedOut()
    {
        Py.SetError(TimeoutError, "timed out");
        return new PythonErrorException();
    }

    /// <summary>Waits without the GIL until the host socket is ready; false when <paramref name="limit"/> passed first.</summary>
    private bool WaitHost(HostSocket socket, bool read, TimeSpan? limit)
    {
        if (limit == TimeSpan.Zero)
        {
            return false;
        }

        var events = read ? HostDescriptors.PollIn : HostDescriptors.PollOut;
        var clock = _backend.Clock;
        return SignalWait.WithoutGil(clock, limit, (left, token) => Readiness.WaitUntil(() => read ? socket.ReadReady : socket.WriteReady, [(socket.HostFd, events)], clock, left, token));
    }

    /// <summary>
    /// <c>connect</c>/<c>connect_ex</c>: CPython's non-blocking connect, then (timeout not zero) a wait until the
    /// socket is writable and its <c>SO_ERROR</c>, as CPython's own connect with a timeout does.
    /// </summary>
    private nint Connect(int fd, HostSocket socket, string name, nint callArgs, TimeSpan? timeout)
    {
        var start = _backend.Clock.GetTimestamp();
        if (name == "connect")
        {
            try
            {
                return Forward(socket, name, callArgs);
            }
            catch (PythonErrorException) when (timeout != TimeSpan.Zero && WouldBlock())
            {
                LibPython.PyErr_Clear();
            }
        }
        else
        {
            var errno = IntOf(Forward(socket, name, callArgs));
            if (timeout == TimeSpan.Zero || errno != EInProgress)
            {
                return Py.NewInt(errno);
            }
        }

        if (!WaitHost(socket, read: false, Remaining(start, timeout)))
        {
            if (name == "connect_ex")
            {
                return Py.NewInt(EWouldBlock);
            }

            throw TimedOut();
        }

        socket = HostSocketAt(fd);
        var error = (int)IntOf(Method(socket.Raw, "getsockopt", Py.Tuple(Py.NewInt(SolSocket), Py.NewInt(SoError))));
        if (name == "connect_ex")
        {
            return Py.NewInt(error);
        }

        return error == 0 ? Py.NewNone() : throw new PythonIOException(error, Marshal.GetPInvokeErrorMessage(error));
    }

    /// <summary><c>accept</c>'s (host descriptor, address): the new host socket goes behind a virtual descriptor, returned instead.</summary>
    private nint Accepted(HostSocket listening, nint result)
    {
        nint address;
        long hostFd;
        try
        {
            hostFd = IntOf(Item(result, 0));
            address = Item(result, 1);
        }
        finally
        {
            LibPython.Py_DecRef(result);
        }

        var a = Py.Tuple(Py.NewInt(listening.Family), Py.NewInt(listening.Type), Py.NewInt(listening.Protocol), Py.NewInt(hostFd));
        var raw = Trusted(RawType, a);
        LibPython.Py_DecRef(a);
        if (raw == 0)
        {
            LibPython.Py_DecRef(address);
            CloseHost([(int)hostFd]);
            throw new PythonErrorException();
        }

        int fd;
        try
        {
            fd = Register(raw).Fd;
        }
        catch
        {
            LibPython.Py_DecRef(address);
            throw;
        }

        return Py.Tuple(Py.NewInt(fd), address);
    }

    /// <summary>
    /// <c>sendmsg</c>'s ancillary data as a new list of plain <c>(int, int, bytes)</c> tuples, each item and its data
    /// read once; descriptor passing (<c>SCM_RIGHTS</c>) is refused: its numbers would name host descriptors.
    /// </summary>
    private static nint Ancillary(nint ancillary)
    {
        var items = Arg.Items(ancillary, "ancdata", static (item, _) =>
        {
            if (Length(item) != 3)
            {
                throw new PythonArgumentException("[sendmsg() ancillary data items]() argument must be a sequence of length 3");
            }

            var level = Arg.ToInt(IntOf(Item(item, 0)), "level");
            var type = Arg.ToInt(IntOf(Item(item, 1)), "type");
            var data = Item(item, 2);
            try
            {
                using var buffer = Arg.BufferOf(data);
                return (Level: level, Type: type, Data: buffer.Span.ToArray());
            }
            finally
            {
                LibPython.Py_DecRef(data);
            }
        });
        var list = LibPython.PyList_New(0);
        if (list == 0)
        {
            throw new PythonErrorException();
        }

        try
        {
            foreach (var (level, type, data) in items)
            {
                // Data too short to hold one descriptor names none (CPython's tests send such truncated arrays).
                if (level == SolSocket && type == ScmRights && data.Length >= sizeof(int))
                {
                    throw new UnsupportedOperationException("passing descriptors over a socket (SCM_RIGHTS) is not supported by the managed backend");
                }

                var tuple = Py.Tuple(Py.NewInt(level), Py.NewInt(type), Py.NewBytes(data));
                var appended = tuple != 0 && LibPython.PyList_Append(list, tuple) == 0;
                LibPython.Py_DecRef(tuple);
                if (!appended)
                {
                    throw new PythonErrorException();
                }
            }
        }
        catch
        {
            LibPython.Py_DecRef(list);
            throw;
        }

        return list;
    }

    /// <summary>
    /// <c>recvmsg</c>'s result without the descriptors another process sent (<c>SCM_RIGHTS</c>): they are closed at
    /// once and <c>MSG_CTRUNC</c> is set, as when the receiver's buffer had no room for them.
    /// </summary>
    private static nint WithoutDescriptors(nint result)
    {
        try
        {
            var ancillary = Item(result, 1);
            var kept = LibPython.PyList_New(0);
            var dropped = false;
            try
            {
                foreach (var item in Arg.Items(ancillary, "ancdata", (o, _) =>
                {
                    LibPython.Py_IncRef(o);
                    return o;
                }))
                {
                    try
                    {
                        if (IntOf(Item(item, 0)) == SolSocket && IntOf(Item(item, 1)) == ScmRights)
                        {
                            var data = Item(item, 2);
                            var bytes = Py.ReadBytes(data).ToArray();
                            LibPython.Py_DecRef(data);
                            CloseHost(MemoryMarshal.Cast<byte, int>(bytes.AsSpan(0, bytes.Length & ~3)).ToArray());
                            dropped = true;
                        }
                        else if (LibPython.PyList_Append(kept, item) < 0)
                        {
                            throw new PythonErrorException();
                        }
                    }
                    finally
                    {
                        LibPython.Py_DecRef(item);
                    }
                }
            }
            catch
            {
                LibPython.Py_DecRef(kept);
                throw;
            }
            finally
            {
                LibPython.Py_DecRef(ancillary);
            }

            var flags = IntOf(Item(result, 2));
            return Py.Tuple(Item(result, 0), kept, Py.NewInt(dropped ? flags | MsgCtrunc : flags), Item(result, 3));
        }
        finally
        {
            LibPython.Py_DecRef(result);
        }
    }

    private static void CloseHost(int[] fds)
    {
        var close = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(NativeLibrary.Load("libc.so.6"), "close");
        foreach (var fd in fds)
        {
            close(fd);
        }
    }
}
