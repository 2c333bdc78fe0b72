using PyHosting.Testing;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// HostSockets=true with IO=All, a host directory mounted at <c>/sockets</c>, an in-memory mount at <c>/mem</c>, and
/// next to the mounted directory an outside directory (<see cref="Outside"/>) that the sandbox must not reach.
/// </summary>
public sealed class UnixSocketFixture : TestHostFixture
{
    /// <summary>Gets the mounted directory.</summary>
    public string Mounted => Path.Combine(Root, "mounted");

    /// <summary>Gets a host directory outside every mount.</summary>
    public string Outside => Path.Combine(Root, "outside");

    protected override IEnumerable<KeyValuePair<string, string?>> Configuration() => new Dictionary<string, string?>
    {
        ["PythonRuntime:Permissions:HostSockets"] = "true",
        ["PythonRuntime:Permissions:IO"] = "All",
        ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/sockets",
        ["PythonRuntime:FileSystem:Mounts:0:HostPath"] = Mounted,
        ["PythonRuntime:FileSystem:Mounts:1:Path"] = "/mem",
        ["PythonRuntime:FileSystem:Mounts:1:InMemory"] = "true",
    };

    protected override void Prepare()
    {
        Directory.CreateDirectory(Mounted);
        Directory.CreateDirectory(Outside);

        // A link inside the mount that points out of it, as a sandboxed script could make one.
        File.CreateSymbolicLink(Path.Combine(Mounted, "escape"), Outside);
    }
}

/// <summary>
/// Regression tests for what the host-socket fuzz run found, one per class of bug, and the AF_UNIX decision: paths
/// go through the mount table (IO=All, a directory mounted from the host, links resolved inside the mount), and
/// abstract-namespace names are refused.
/// </summary>
public sealed class HostSocketHostileTests(HostSocketsFixture sockets) : IClassFixture<HostSocketsFixture>
{
    /// <summary>The shim's operation bridge, as a script reaches it through a method's closure.</summary>
    private const string Operations = "import socket, _socket\nops = {n: c.cell_contents for f in vars(_socket.socket).values() if getattr(f, '__closure__', None) for n, c in zip(f.__code__.co_freevars, f.__closure__)}\n";

    private async Task<PythonResponse> RunAsync(string code)
    {
        var response = await sockets.Python.EvalAsync($"(lambda g: (exec({System.Text.Json.JsonSerializer.Serialize(code)}, g), g['result'])[1])({{}})");
        await sockets.AssertAliveAsync();
        return response;
    }

    [Theory]
    [InlineData("[('127.0.0.1', 0)]")]
    [InlineData("None")]
    [InlineData("'ab'")]
    [InlineData("{}")]
    public async Task TheOperationBridge_GivenArgumentsThatAreNotATuple_RaisesTypeError(string arguments)
    {
        // A list here was read as a tuple's storage by CPython's method call: the host died.
        var response = await RunAsync(Operations + $"""
            s = socket.socket()
            try:
                ops['_call'](s.fileno(), 'bind', {arguments}, 0.0)
                result = 'returned'
            except TypeError as e:
                result = 'TypeError'
            s.close()
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal("TypeError", response.GetResult<string>());
    }

    [Fact]
    public async Task TheOperationBridge_GivenATupleThatLies_ForwardsItsRealItems()
    {
        var response = await RunAsync(Operations + """
            class Lying(tuple):
                def __getitem__(self, i): return ('lie', i)
                def __len__(self): return 99
            s = socket.socket()
            ops['_call'](s.fileno(), 'bind', Lying((('127.0.0.1', 0),)), 0.0)
            result = s.getsockname()[0]
            s.close()
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal("127.0.0.1", response.GetResult<string>());
    }

    [Theory]
    [InlineData("b'recv'")]
    [InlineData("5")]
    [InlineData("None")]
    public async Task TheOperationBridge_GivenANameThatIsNotAString_RaisesTypeError_AndLeavesNoErrorSet(string name)
    {
        // Before, the name's conversion left a Python error set, and the next Python code called (the timeout's __index__) raised SystemError.
        var response = await RunAsync(Operations + $$"""
            class Seconds:
                def __index__(self): return 1
            s = socket.socket()
            try:
                ops['_call'](s.fileno(), {{name}}, (), Seconds())
                result = 'returned'
            except TypeError:
                result = 'TypeError'
            s.close()
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal("TypeError", response.GetResult<string>());
    }

    [Theory]
    [InlineData("socket.socket().settimeout(2**63)")]
    [InlineData("socket.socket().settimeout(1e300)")]
    [InlineData("socket.create_connection(('127.0.0.1', 9), 2**63)")]
    [InlineData("ops['_call']((s := socket.socket()).fileno(), 'recv', (1,), 2**63)")]
    [InlineData("ops['_set_timeout']((s := socket.socket()).fileno(), 1e300)")]
    public async Task ATimeoutTooLargeForTheClock_IsOverflowError(string call)
    {
        // Before, TimeSpan.FromSeconds threw, and the call failed with the EIO of an unexpected .NET exception.
        var response = await sockets.Python.ExecAsync(Operations + call);

        Assert.False(response.Ok);
        Assert.Equal("OverflowError", response.PythonType);
        await sockets.AssertAliveAsync();
    }

    [Theory]
    [InlineData("LyingItem")]
    [InlineData("Flipping")]
    [InlineData("Growing")]
    [InlineData("LyingTuple")]
    public async Task AncillaryDataThatChangesBetweenTheCheckAndTheSend_NeverPassesDescriptors(string kind)
    {
        // Each of these read as harmless when checked and as SCM_RIGHTS with descriptors 0, 1, 2 when CPython read them again.
        var response = await RunAsync($$"""
            import socket, array, io
            rights = [socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [0, 1, 2])]
            class LyingItem(list):
                reads = 0
                def __getitem__(self, i):
                    LyingItem.reads += 1
                    return [0, 0, b''][i] if LyingItem.reads <= 3 else rights[i]
                def __len__(self): return 3
            class Flipping:
                calls = 0
                def __index__(self):
                    Flipping.calls += 1
                    return 0 if Flipping.calls == 1 else socket.SCM_RIGHTS
            data = bytearray(b'\0\0')
            class Growing:
                def __index__(self):
                    data[:] = array.array('i', [0, 1, 2]).tobytes()
                    return socket.SOL_SOCKET
            class LyingTuple(tuple):
                def __getitem__(self, i): return (0, 0, b'')[i]
            items = {
                'LyingItem': [LyingItem()],
                'Flipping': [(socket.SOL_SOCKET, Flipping(), array.array('i', [0, 1, 2]))],
                'Growing': [(Growing(), socket.SCM_RIGHTS, data)],
                'LyingTuple': [LyingTuple(rights)],
            }['{{kind}}']
            a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
            try:
                a.sendmsg([b'x'], items)
            except OSError as e:
                # refused: SCM_RIGHTS named (io.UnsupportedOperation), or the kernel's EINVAL for what was checked
                result = 'no descriptors' if 'SCM_RIGHTS' in str(e) or e.errno == 22 else str(e)
            except (TypeError, ValueError, BufferError):
                result = 'no descriptors'
            else:
                # sent: what was checked, no descriptors (received ones are closed and flagged MSG_CTRUNC)
                msg, anc, flags, _ = b.recvmsg(16, 1024)
                result = 'no descriptors' if not anc and not flags & socket.MSG_CTRUNC else 'descriptors passed: %r %d' % (anc, flags)
            a.close(); b.close()
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal("no descriptors", response.GetResult<string>());
    }

    [Theory]
    [InlineData("socket.AF_NETLINK, socket.SOCK_RAW, 0")]
    [InlineData("socket.AF_NETLINK, socket.SOCK_DGRAM, 0")]
    [InlineData("socket.AF_PACKET, socket.SOCK_RAW, 0")]
    [InlineData("socket.AF_PACKET, socket.SOCK_DGRAM, 0")]
    [InlineData("socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP")]
    [InlineData("socket.AF_INET6, socket.SOCK_RAW, 0")]
    [InlineData("socket.AF_ALG, socket.SOCK_SEQPACKET, 0")]
    [InlineData("socket.AF_VSOCK, socket.SOCK_STREAM, 0")]
    [InlineData("socket.AF_INET, 10, 0")] // SOCK_PACKET
    public async Task SocketsOutsideTheInternetAndUnixFamilies_AreUnsupported(string kind)
    {
        var response = await sockets.Python.ExecAsync($"import socket\nsocket.socket({kind})");

        Assert.False(response.Ok);
        Assert.Contains("UnsupportedOperation", response.PythonType, StringComparison.Ordinal);
        Assert.Contains("not supported by the managed backend", response.PythonMessage, StringComparison.Ordinal);
        await sockets.AssertAliveAsync();
    }

    [Theory]
    [InlineData("s.bind('/tmp/pyhosting-unix.sock')")]
    [InlineData("s.connect('/run/dbus/system_bus_socket')")]
    [InlineData("s.connect_ex('/var/run/docker.sock')")]
    public async Task UnixPaths_WithoutIOAll_AreRefusedNamingTheKey(string call)
    {
        var response = await sockets.Python.ExecAsync($"import socket\ns = socket.socket(socket.AF_UNIX)\ntry:\n    {call}\nfinally:\n    s.close()");

        Assert.False(response.Ok);
        Assert.Equal("PermissionError", response.PythonType);
        Assert.Contains("PythonRuntime:Permissions:IO", response.PythonMessage, StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/pyhosting-unix.sock"));
        await sockets.AssertAliveAsync();
    }

    [Theory]
    [InlineData("socket.SOCK_STREAM", "s.bind(b'\\0pyhosting-abstract')")]
    [InlineData("socket.SOCK_STREAM", "s.connect('\\0/containerd-shim/abstract.sock')")]
    [InlineData("socket.SOCK_STREAM", "s.connect_ex(bytearray(b'\\0@/tmp/.X11-unix/X0'))")]
    [InlineData("socket.SOCK_STREAM", "s.bind(b'\\0not utf-8 \\xff')")]
    [InlineData("socket.SOCK_DGRAM", "s.sendto(b'x', b'\\0pyhosting-abstract')")]
    [InlineData("socket.SOCK_DGRAM", "s.sendmsg([b'x'], [], 0, '\\0pyhosting-abstract')")]
    public async Task AbstractNamespaceNames_AreUnsupported(string type, string call)
    {
        var response = await sockets.Python.ExecAsync($"import socket\ns = socket.socket(socket.AF_UNIX, {type})\ntry:\n    {call}\nfinally:\n    s.close()");

        Assert.False(response.Ok);
        Assert.Contains("UnsupportedOperation", response.PythonType, StringComparison.Ordinal);
        Assert.Contains("abstract", response.PythonMessage, StringComparison.Ordinal);
        await sockets.AssertAliveAsync();
    }

    [Fact]
    public async Task TheKernelsAutomaticName_StillWorks()
    {
        // bind('') asks the kernel for a fresh abstract name of the socket's own: nothing outside is named.
        var response = await RunAsync("""
            import socket
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind('')
            result = s.getsockname()[:1] == b'\0'
            s.close()
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.True(response.GetResult<bool>());
    }
}

/// <summary>AF_UNIX paths with IO=All: mapped through the mount table to the mounted host directory, never outside it.</summary>
public sealed class UnixSocketPathTests(UnixSocketFixture fixture) : IClassFixture<UnixSocketFixture>
{
    private async Task<PythonResponse> RunAsync(string code)
    {
        var response = await fixture.Python.EvalAsync($"(lambda g: (exec({System.Text.Json.JsonSerializer.Serialize(code)}, g), g['result'])[1])({{}})");
        await fixture.AssertAliveAsync();
        return response;
    }

    [Fact]
    public async Task BindAndConnect_OnAMountedPath_MeetInTheMountedHostDirectory()
    {
        var response = await RunAsync("""
            import socket, os
            server = socket.socket(socket.AF_UNIX)
            server.bind('/sockets/echo.sock')
            server.listen(1)
            os.chdir('/sockets')
            client = socket.socket(socket.AF_UNIX)
            client.connect('echo.sock')
            conn, _ = server.accept()
            client.sendall(b'ping')
            result = conn.recv(4).decode()
            for s in (conn, client, server):
                s.close()
            os.unlink('/sockets/echo.sock')
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal("ping", response.GetResult<string>());
    }

    [Fact]
    public async Task BindingThroughALinkOutOfTheMount_StaysInsideTheMount()
    {
        // /sockets/escape is a link to a host directory outside the mount: resolved inside the mount (as in a chroot),
        // it names nothing there, so the bind fails, and nothing appears in the outside directory (before, the mount's
        // root joined to the name was given to the kernel, which followed the link out).
        var response = await RunAsync("""
            import socket
            s = socket.socket(socket.AF_UNIX)
            try:
                s.bind('/sockets/escape/planted.sock')
                result = 'bound'
            except OSError as e:
                result = type(e).__name__
            s.close()
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.NotEqual("bound", response.GetResult<string>());
        Assert.False(File.Exists(Path.Combine(fixture.Outside, "planted.sock")));
    }

    [Theory]
    [InlineData("/sockets/../../outside/planted.sock")]
    [InlineData("/sockets/escape/../../outside/planted.sock")]
    public async Task BindingWithDotDot_StaysInsideTheRuntimesTree(string path)
    {
        var response = await RunAsync($$"""
            import socket
            s = socket.socket(socket.AF_UNIX)
            try:
                s.bind('{{path}}')
                result = 'bound'
            except OSError as e:
                result = type(e).__name__
            s.close()
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.False(File.Exists(Path.Combine(fixture.Outside, "planted.sock")));
    }

    [Fact]
    public async Task ConnectingThroughALinkOutOfTheMount_DoesNotReachTheOutsideSocket()
    {
        // A listening socket outside the mount, reached by the host through the link: the sandbox must not connect to it.
        using var outside = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        outside.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(fixture.Outside, "service.sock")));
        outside.Listen(1);
        var response = await RunAsync("""
            import socket
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(1)
            try:
                s.connect('/sockets/escape/service.sock')
                result = 'connected'
            except OSError as e:
                result = type(e).__name__
            s.close()
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal("FileNotFoundError", response.GetResult<string>());
    }

    [Fact]
    public async Task APathInAnInMemoryMount_HasNoSocket()
    {
        var response = await fixture.Python.ExecAsync("import socket\ns = socket.socket(socket.AF_UNIX)\ntry:\n    s.bind('/mem/x.sock')\nfinally:\n    s.close()");

        Assert.False(response.Ok);
        Assert.Contains("UnsupportedOperation", response.PythonType, StringComparison.Ordinal);
        Assert.Contains("has no host file", response.PythonMessage, StringComparison.Ordinal);
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task APathOutsideEveryMount_IsNotAHostPath()
    {
        // The runtime's root outside the mounts is its own tree, not the host's: '/tmp' here is not the host's /tmp.
        var marker = "pyhosting-unix-" + Guid.NewGuid().ToString("N")[..8] + ".sock";
        var response = await fixture.Python.ExecAsync($"import socket\ns = socket.socket(socket.AF_UNIX)\ntry:\n    s.bind('/tmp/{marker}')\nfinally:\n    s.close()");

        Assert.False(File.Exists(Path.Combine("/tmp", marker)), response.Raw.ToJsonString());
        await fixture.AssertAliveAsync();
    }
}
