using System.Globalization;
using Xunit.Abstractions;

namespace PyHosting.Sandbox.Tests.Fuzzing;

/// <summary>
/// With <c>PythonRuntime:Permissions:HostSockets=true</c>, every method of the host socket type (on connected,
/// accepted, listening, new, datagram, <c>AF_INET6</c>, <c>AF_UNIX</c> and closed sockets), every function of
/// <c>_socket</c> and socket.py's helpers over it, and the shim's operations reachable through its methods'
/// closures, called with hostile arguments (<c>host_socket_fuzz.py</c>) that keep to loopback and to the fuzz's own
/// listeners: each call returns or raises an exception a socket call raises, no .NET object reaches Python, the host
/// lives, and its own descriptors are the same afterwards (none closed, none replaced, no host socket left open).
/// </summary>
public sealed class HostSocketFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EveryHostSocketCallable_WithHostileArguments_RaisesOrReturns_AndTheHostsDescriptorsAreUntouched()
    {
        var fuzzer = new BridgeFuzzer(
            new Dictionary<string, string?>
            {
                ["PythonRuntime:Permissions:HostSockets"] = "true",
            },
            driver: "host_socket_fuzz.py",
            finish: "finish()");

        await fuzzer.RunAsync();

        var made = fuzzer.Reach.Values.Sum(static r => r.Made);
        var skipped = fuzzer.Reach.Values.Sum(static r => r.Skipped);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fuzzer.Targets.Count} targets, {made} calls made, {skipped} skipped as name lookups or waits without end, {fuzzer.Processes} host processes"));
        foreach (var failure in fuzzer.Failures)
        {
            output.WriteLine(failure);
        }

        Assert.True(fuzzer.Failures.Count == 0, $"{fuzzer.Failures.Count} failing calls:\n{string.Join('\n', fuzzer.Failures)}");

        // Reach: every method of the host socket type, every _socket function, the shim's operations.
        var names = fuzzer.Targets.Select(static t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in new[]
        {
            "recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "recvmsg_into", "send", "sendall", "sendto", "sendmsg",
            "bind", "connect", "connect_ex", "listen", "accept", "_accept", "shutdown", "getsockname", "getpeername",
            "getsockopt", "setsockopt", "settimeout", "setblocking", "detach", "dup", "close", "makefile", "sendfile",
        })
        {
            Assert.Contains("socket." + name, names);
        }

        foreach (var name in new[] { "socket", "socketpair", "dup", "close", "getaddrinfo", "getnameinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "gethostname", "sethostname", "if_nameindex", "CMSG_LEN" })
        {
            Assert.Contains("_socket." + name, names);
        }

        foreach (var name in new[] { "_call", "_create", "_adopt", "_recv", "_recv_into", "_send", "_sendall", "_set_timeout", "_shutdown", "_close" })
        {
            Assert.Contains("op " + name, names);
        }

        foreach (var target in fuzzer.Targets)
        {
            Assert.True(fuzzer.Reach.TryGetValue(target.Name, out var reach) && reach.Made > 0, $"{target.Name} was never called");
            Assert.True(reach.Made + reach.Skipped >= target.PlannedCalls, $"{target.Name}: {reach.Made + reach.Skipped} of {target.PlannedCalls} calls");
        }

        Assert.True(made > 4 * skipped, $"{skipped} of {made + skipped} calls skipped");

        // The host's descriptors: none closed or replaced, no host socket of the fuzz left behind.
        Assert.Empty(fuzzer.Leftovers);
        foreach (var (fd, target) in fuzzer.HostDescriptorsBefore)
        {
            Assert.True(fuzzer.HostDescriptorsAfter.TryGetValue(fd, out var after) && after == target, $"host descriptor {fd} ({target}) is now {after ?? "closed"}");
        }

        var added = fuzzer.HostDescriptorsAfter.Where(d => !fuzzer.HostDescriptorsBefore.ContainsKey(d.Key) && d.Value.StartsWith("socket:", StringComparison.Ordinal)).ToList();
        Assert.True(added.Count == 0, $"sockets left open in the host: {string.Join(", ", added.Select(static d => $"{d.Key} {d.Value}"))}");
    }
}
