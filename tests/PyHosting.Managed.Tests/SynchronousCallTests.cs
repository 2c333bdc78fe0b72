using PyHosting.Internal;
using PyHosting.Internal.Managed.Hardening;
using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// The synchronous entry points: they run on the calling thread only when its stack holds the recursion Python may
/// reach there, and running there keeps every other call from raising the recursion limit beyond that stack.
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class SynchronousCallTests(ManagedRuntimeFixture fixture)
{
    private const string PythonThread = "__import__('threading').get_ident()";

    [Fact]
    public void Evaluate_OnAThreadWithACallThreadsStack_RunsOnThatThread()
    {
        var (python, caller) = OnThread(CallThreads.StackSize, () => fixture.Runtime.Evaluate<long>(PythonThread));

        Assert.Equal(caller, python);
    }

    [Fact]
    public void Evaluate_OnAThreadWhoseStackCannotHoldTheMinimumRecursion_RunsOnACallThreadAndReturns()
    {
        var (python, caller) = OnThread(1024 * 1024, () => fixture.Runtime.Evaluate<long>(PythonThread));

        Assert.NotEqual(0, python);
        Assert.NotEqual(caller, python);
    }

    [Fact]
    public async Task Evaluate_OnASmallerAdmittedThread_CapsTheRecursionLimitAnyCallCanSetToThatStack()
    {
        const int Stack = 8 * 1024 * 1024;
        await fixture.Runtime.ExecuteAsync("import sys as _pyh_sys; _pyh_sys.setrecursionlimit(1000)");

        var (python, caller) = OnThread(Stack, () => fixture.Runtime.Evaluate<long>(PythonThread));
        var raised = await fixture.Runtime.EvaluateAsync<long>("(_pyh_sys.setrecursionlimit(10000), _pyh_sys.getrecursionlimit())[1]");
        await fixture.Runtime.ExecuteAsync("_pyh_sys.setrecursionlimit(1000)");

        Assert.Equal(caller, python);
        Assert.InRange(raised, RecursionBudget.Minimum, RecursionBudget.LevelsFor(Stack));
    }

    [Fact]
    public async Task Invoke_CallsTheFunction_AndRepeatedEvaluateReadsTheNamespaceEachTime()
    {
        await fixture.Runtime.ExecuteAsync("_pyh_sync_value = 1");
        var first = fixture.Runtime.Evaluate<long>("_pyh_sync_value + 1");
        await fixture.Runtime.ExecuteAsync("_pyh_sync_value = 41");
        var second = fixture.Runtime.Evaluate<long>("_pyh_sync_value + 1");
        var joined = fixture.Runtime.Invoke<string>("posixpath", "join", ["a", "b"]);

        Assert.Equal(2, first);
        Assert.Equal(42, second);
        Assert.Equal("a/b", joined);
    }

    [Fact]
    public void Evaluate_PythonError_SurfacesAsPythonScriptException()
    {
        var e = Assert.Throws<PythonScriptException>(() => fixture.Runtime.Evaluate<long>("1 // 0"));

        Assert.Equal("ZeroDivisionError", e.PythonType);
    }

    [Fact]
    public void Invoke_CancelledToken_ThrowsBeforeRunning()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => fixture.Runtime.Invoke<object>("posixpath", "join", ["a"], cancelled.Token));
    }

    [Fact]
    public void EvaluateAsync_NoTokenNoTimeoutOnAThreadWithACallThreadsStack_ReturnsBeforeTheCallEnds()
    {
        // A caller may start a call and then do what the call waits for: the task must come back first, even when the
        // call could run on the caller's thread (no timeout, no token, a stack that holds the recursion limit).
        var (python, caller) = OnThread(CallThreads.StackSize, () =>
        {
            fixture.Runtime.Evaluate<long>("(globals().__setitem__('_pyh_inline_event', __import__('threading').Event()), 0)[1]");
            var waiting = fixture.Runtime.EvaluateAsync<long>("(_pyh_inline_event.wait(10), __import__('threading').get_ident())[1]");
            var returnedFirst = !waiting.IsCompleted;
            fixture.Runtime.Evaluate<long>("(_pyh_inline_event.set(), 0)[1]");
            var ident = waiting.GetAwaiter().GetResult();
            return returnedFirst ? ident : 0;
        });

        Assert.NotEqual(0, python);
        Assert.NotEqual(caller, python);
    }

    /// <summary>Runs <paramref name="call"/> on a new thread with the given stack; returns its result and that thread's identifier as Python sees it.</summary>
    private static (long Result, long Caller) OnThread(int stackSize, Func<long> call)
    {
        long result = 0, caller = 0;
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    caller = ThreadIdent();
                    result = call();
                }
                catch (Exception e)
                {
                    failure = e;
                }
            },
            stackSize);
        thread.Start();
        thread.Join();
        return failure is null ? (result, caller) : throw new InvalidOperationException("The call failed on its thread.", failure);
    }

    /// <summary>Python's identifier of the calling thread (<c>pthread_self</c>; needs no GIL).</summary>
    private static unsafe long ThreadIdent() => (long)PyHosting.Internal.Interop.LibPython.PyThread_get_thread_ident();
}
