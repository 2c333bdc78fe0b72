using System.Collections.Concurrent;

namespace PyHosting.Hosting.Isolation;

/// <summary>
/// The one thread that starts a runtime's workers, alive as long as the runtime. Bubblewrap's
/// <c>--die-with-parent</c> (Linux's parent-death signal) fires when the <em>thread</em> that started the process
/// ends, not the process: a worker started from a thread-pool thread would be killed when that thread retires.
/// </summary>
internal sealed class LauncherThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    public LauncherThread()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "PyHosting worker launcher" };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="start"/> on the launcher thread.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="start">What to run.</param>
    /// <returns>Its result or exception.</returns>
    public Task<T> RunAsync<T>(Func<T> start)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                completion.TrySetResult(start());
            }
#pragma warning disable CA1031 // Handed to the caller.
            catch (Exception e)
#pragma warning restore CA1031
            {
                completion.TrySetException(e);
            }
        });
        return completion.Task;
    }

    public void Dispose() => _work.CompleteAdding();

    private void Loop()
    {
        foreach (var item in _work.GetConsumingEnumerable())
        {
            item();
        }

        _work.Dispose();
    }
}
