namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>HostSockets=true: socket is CPython's own; the runtime's select and poll refuse its host descriptors instead of spinning.</summary>
public sealed class HostSocketsFixture : TestHostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Configuration() => new Dictionary<string, string?>
    {
        ["PythonRuntime:Permissions:HostSockets"] = "true",
    };
}

public sealed class HostSocketsTests(HostSocketsFixture fixture) : IClassFixture<HostSocketsFixture>
{
    [Fact]
    public async Task SocketIsCPythons_AndItsPairWorks()
    {
        var response = await fixture.Python.EvalAsync(
            "(lambda s: (lambda a, b: (a.sendall(b'host'), b.recv(4), a.close(), b.close())[1].decode())(*s.socketpair()))(__import__('socket'))");

        Assert.True(response.Ok, response.Raw.ToJsonString());
        Assert.Equal("host", response.GetResult<string>());
    }

    [Theory]
    [InlineData("import select, socket\na, b = socket.socketpair()\ntry:\n    select.select([a], [], [], 0)\nfinally:\n    a.close(); b.close()")]
    [InlineData("import select, socket\na, b = socket.socketpair()\np = select.poll()\np.register(a, select.POLLIN)\ntry:\n    p.poll(0)\nfinally:\n    a.close(); b.close()")]
    public async Task SelectAndPollOnAHostSocket_FailWithEBADF(string code)
    {
        var response = await fixture.Python.ExecAsync(code);

        Assert.False(response.Ok);
        Assert.Equal("OSError", response.PythonType);
        Assert.StartsWith("[Errno 9]", response.PythonMessage, StringComparison.Ordinal);
        await fixture.AssertAliveAsync();
    }
}
