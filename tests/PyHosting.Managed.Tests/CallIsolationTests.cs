using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>Each call starts with fresh per-thread Python state, although pool threads keep their Python thread state.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class CallIsolationTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task ThreadLocalAndContextVariables_DoNotLeakIntoLaterCalls()
    {
        await fixture.RunAsync<object>("""
            import builtins, contextvars, threading
            builtins._pyh_isolation_local = threading.local()
            builtins._pyh_isolation_var = contextvars.ContextVar('pyh_isolation_var', default='unset')
            """);

        // Many calls land on the same pool threads: none may see what an earlier one left behind.
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => fixture.RunAsync<string>($"""
            import builtins, decimal
            local, var = builtins._pyh_isolation_local, builtins._pyh_isolation_var
            seen = (getattr(local, 'value', 'unset'), var.get(), str(decimal.getcontext().prec))
            local.value = 'call {i}'
            var.set('call {i}')
            decimal.getcontext().prec = 5
            return '|'.join(seen)
            """)));

        Assert.All(results, r => Assert.Equal("unset|unset|28", r));
    }

    [Fact]
    public async Task ThreadStateOfAFinishedThread_IsDeletedByALaterCall()
    {
        var before = PyHosting.Internal.PythonThreadState.FreedCount;
        var thread = new Thread(static () =>
        {
            var gil = PyHosting.Internal.PythonThreadState.Acquire();
            PyHosting.Internal.PythonThreadState.Release(gil);
        });
        thread.Start();
        thread.Join();

        for (var i = 0; i < 50 && PyHosting.Internal.PythonThreadState.FreedCount == before; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await fixture.RunAsync<object>("pass");
        }

        Assert.True(PyHosting.Internal.PythonThreadState.FreedCount > before);
        Assert.Equal(2, await fixture.RunAsync<long>("return 1 + 1"));
    }
}
