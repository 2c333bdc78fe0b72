using PyHosting.Testing;
namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// HostSockets=true in a real generic host: host sockets live behind the runtime's virtual descriptors, so the
/// runtime's select/poll (and asyncio's loop on them) wait on them together with the runtime's own socket pairs, and
/// no host descriptor the sandbox did not create can be named.
/// </summary>
public sealed class HostSocketsFixture : TestHostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Configuration() => new Dictionary<string, string?>
    {
        ["PythonRuntime:Permissions:HostSockets"] = "true",
        ["PythonRuntime:Permissions:CreateThread"] = "true",
    };
}

public sealed class HostSocketsTests(HostSocketsFixture fixture) : IClassFixture<HostSocketsFixture>
{
    /// <summary>Runs <paramref name="code"/> in a fresh namespace and returns its <c>result</c>.</summary>
    private Task<PythonResponse> RunAsync(string code) =>
        fixture.Python.EvalAsync($"(lambda g: (exec({System.Text.Json.JsonSerializer.Serialize(code)}, g), g['result'])[1])({{}})");

    [Fact]
    public async Task SocketPair_Works()
    {
        var response = await fixture.Python.EvalAsync(
            "(lambda s: (lambda a, b: (a.sendall(b'host'), b.recv(4), a.close(), b.close())[1].decode())(*s.socketpair()))(__import__('socket'))");

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal("host", response.GetResult<string>());
    }

    [Fact]
    public async Task Sendfile_FromAMemoryFile_ToAHostSocket_OverLoopback()
    {
        var response = await RunAsync("""
            import os, socket
            data = bytes(range(256)) * 1024
            m = os.memfd_create('payload')
            os.write(m, data)
            server = socket.socket()
            server.bind(('127.0.0.1', 0))
            server.listen()
            client = socket.create_connection(server.getsockname())
            peer, _ = server.accept()
            try:
                part = os.sendfile(client.fileno(), m, 1000, 10)
                first = peer.recv(10)
                with open(m, 'rb', closefd=False) as f:
                    total = client.sendfile(f)
                client.shutdown(socket.SHUT_WR)
                received = bytearray()
                while True:
                    chunk = peer.recv(65536)
                    if not chunk:
                        break
                    received += chunk
                result = repr([part, first == data[1000:1010], total, bytes(received) == data])
            finally:
                for s in (client, peer, server):
                    s.close()
                os.close(m)
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal("[10, True, 262144, True]", response.GetResult<string>());
    }

    [Fact]
    public async Task AsyncioServerAndClient_OverLoopback()
    {
        var response = await RunAsync("""
            import asyncio
            async def handle(reader, writer):
                line = await reader.readline()
                writer.write(line.upper())
                await writer.drain()
                writer.close()
            async def main():
                server = await asyncio.start_server(handle, '127.0.0.1', 0)
                port = server.sockets[0].getsockname()[1]
                replies = []
                for word in (b'first', b'second'):
                    reader, writer = await asyncio.open_connection('127.0.0.1', port)
                    writer.write(word + b'\n')
                    await writer.drain()
                    replies.append((await reader.readline()).decode().strip())
                    writer.close()
                    await writer.wait_closed()
                server.close()
                await server.wait_closed()
                return replies
            result = asyncio.run(main())
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal(["FIRST", "SECOND"], response.GetResult<string[]>()!);
    }

    [Fact]
    public async Task AsyncioDatagrams_OverLoopback()
    {
        var response = await RunAsync("""
            import asyncio
            class Echo(asyncio.DatagramProtocol):
                def connection_made(self, transport): self.transport = transport
                def datagram_received(self, data, addr): self.transport.sendto(data[::-1], addr)
            class Client(asyncio.DatagramProtocol):
                def __init__(self, done): self.done = done
                def datagram_received(self, data, addr): self.done.set_result(data)
            async def main():
                loop = asyncio.get_running_loop()
                server, _ = await loop.create_datagram_endpoint(Echo, local_addr=('127.0.0.1', 0))
                done = loop.create_future()
                client, _ = await loop.create_datagram_endpoint(lambda: Client(done), remote_addr=server.get_extra_info('sockname'))
                client.sendto(b'abc')
                data = await asyncio.wait_for(done, 5)
                client.close(); server.close()
                return data.decode()
            result = asyncio.run(main())
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal("cba", response.GetResult<string>());
    }

    [Fact]
    public async Task SelectAndPoll_WaitOnVirtualAndHostSocketsTogether()
    {
        var response = await RunAsync("""
            import select, socket, threading, time
            own_a, own_b = socket.socketpair()
            listener = socket.create_server(('127.0.0.1', 0))
            client = socket.create_connection(listener.getsockname())
            served, _ = listener.accept()
            idle = select.select([own_b, client], [], [], 0)
            # a write on the host socket from another thread wakes a select that also watches a virtual descriptor,
            # and a write on the virtual one wakes a select that also watches a host socket
            threading.Timer(0.2, served.sendall, (b'h',)).start()
            woken = select.select([own_b, client], [], [], 10)
            client.recv(1)
            threading.Timer(0.2, own_a.sendall, (b'w',)).start()
            woken_virtual = select.select([own_b, client], [], [], 10)
            own_b.recv(1)
            served.sendall(b'h')
            own_a.sendall(b'v')
            both = select.select([own_b, client], [], [], 0)
            p = select.poll()
            p.register(own_b, select.POLLIN)
            p.register(client, select.POLLIN)
            polled = sorted(fd for fd, ev in p.poll(0) if ev & select.POLLIN)
            result = repr((len(idle[0]), [s is client for s in woken[0]], [s is own_b for s in woken_virtual[0]], len(both[0]), polled == sorted([own_b.fileno(), client.fileno()])))
            for s in (own_a, own_b, listener, client, served):
                s.close()
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal("(0, [True], [True], 2, True)", response.GetResult<string>());
    }

    [Fact]
    public async Task HostSocketNumbers_AreTheRuntimesDescriptors()
    {
        // Descriptors are allocated lowest-first in the runtime's own table: a host socket takes the next free number
        // after the runtime's standard streams, whatever the host process's own descriptors are.
        var response = await RunAsync("""
            import socket, os
            lowest = os.dup(0)
            os.close(lowest)
            s = socket.socket()
            result = [lowest, s.fileno()]
            s.close()
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        var numbers = response.GetResult<int[]>()!;
        Assert.Equal(numbers[0], numbers[1]);
    }

    [Theory]
    [InlineData("socket.socket(fileno=0)", "OSError", "[Errno 88]")]
    [InlineData("socket.socket(fileno=1)", "OSError", "[Errno 88]")]
    [InlineData("socket.socket(fileno=2)", "OSError", "[Errno 88]")]
    [InlineData("socket.socket(fileno=900)", "OSError", "[Errno 9]")]
    [InlineData("socket.fromfd(900, socket.AF_INET, socket.SOCK_STREAM)", "OSError", "[Errno 9]")]
    [InlineData("[t for t in object.__subclasses__() if t.__module__ == '_socket' and t.__name__ == 'socket' and 'locals' not in t.__qualname__][0](fileno=3)", "PermissionError", "CPython's own socket type")]
    [InlineData("type('S', ([t for t in object.__subclasses__() if t.__module__ == '_socket' and t.__name__ == 'socket' and 'locals' not in t.__qualname__][0],), {})()", "PermissionError", "CPython's own socket type")]
    [InlineData("[s for t in object.__subclasses__() if t.__module__ == '_socket' and t.__name__ == 'socket' and 'locals' not in t.__qualname__ for s in t.__subclasses__()][0](fileno=3)", "PermissionError", "CPython's own socket type")]
    public async Task NamingAHostDescriptor_IsRefused(string expression, string type, string message)
    {
        var response = await fixture.Python.ExecAsync("import socket\n" + expression);

        Assert.False(response.Ok);
        Assert.Equal(type, response.PythonType);
        Assert.Contains(message, response.PythonMessage, StringComparison.Ordinal);
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task HostDescriptorsBelowTheRuntime_AreNeverAdopted()
    {
        // Every number the runtime's table does not hold (the host process has its own descriptors there) is EBADF.
        var response = await RunAsync("""
            import socket, errno
            refused = 0
            for n in range(3, 300):
                try:
                    socket.socket(fileno=n).close()
                except OSError as e:
                    refused += e.errno in (errno.EBADF, errno.ENOTSOCK)
            result = refused
            """);

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal(297, response.GetResult<int>());
    }

    [Fact]
    public async Task PassingDescriptors_IsRefused()
    {
        var response = await fixture.Python.ExecAsync("""
            import socket, array
            a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
            try:
                a.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [0]))])
            finally:
                a.close(); b.close()
            """);

        Assert.False(response.Ok);
        Assert.Contains("SCM_RIGHTS", response.PythonMessage, StringComparison.Ordinal);
        await fixture.AssertAliveAsync();
    }
}
