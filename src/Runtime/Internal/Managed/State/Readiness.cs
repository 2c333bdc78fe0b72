namespace PyHosting.Internal.Managed.State;

/// <summary>
/// Announces that a virtual descriptor may have become readable or writable (data written or read, an end
/// closed), so that <c>select</c> and the runtime's sockets wait for a change instead of polling. Process-wide,
/// like the interpreter whose descriptors it serves.
/// </summary>
internal static class Readiness
{
    private static TaskCompletionSource s_next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets a task that completes at the next change. Take it before checking the descriptors, then wait on it.</summary>
    public static Task Next => Volatile.Read(ref s_next).Task;

    private static readonly List<HostDescriptors.Waker> HostWaiters = [];
    private static int s_hostWaiterCount;

    /// <summary>Wakes every waiter: something changed.</summary>
    public static void Changed()
    {
        var previous = Interlocked.Exchange(ref s_next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
        if (Volatile.Read(ref s_hostWaiterCount) > 0)
        {
            lock (HostWaiters)
            {
                foreach (var waker in HostWaiters)
                {
                    waker.Signal();
                }
            }
        }
    }

    /// <summary>
    /// <see cref="WaitUntil(Func{bool}, TimeProvider, TimeSpan?, CancellationToken)"/> when some of what is awaited are
    /// host descriptors (<paramref name="host"/>, the sockets HostSockets allowed): the wait blocks in <c>poll</c> on them
    /// and on an <c>eventfd</c> that a change of a virtual descriptor, the deadline on <paramref name="clock"/> or
    /// <paramref name="token"/> signals.
    /// </summary>
    public static bool WaitUntil(Func<bool> ready, IReadOnlyList<(int Fd, short Events)> host, TimeProvider clock, TimeSpan? timeout, CancellationToken token)
    {
        if (host.Count == 0)
        {
            return WaitUntil(ready, clock, timeout, token);
        }

        var start = clock.GetTimestamp();
        using var waker = new HostDescriptors.Waker();
        lock (HostWaiters)
        {
            HostWaiters.Add(waker);
            s_hostWaiterCount = HostWaiters.Count;
        }

        try
        {
            using var cancelled = token.Register(waker.Signal);
            while (true)
            {
                if (ready())
                {
                    return true;
                }

                TimeSpan? remaining = timeout is { } t ? t - clock.GetElapsedTime(start) : null;
                if (remaining is { } r && r <= TimeSpan.Zero)
                {
                    return false;
                }

                token.ThrowIfCancellationRequested();
                using var stop = new CancellationTokenSource();
                if (remaining is { } left)
                {
                    _ = Task.Delay(left < MaxStep ? left : MaxStep, clock, stop.Token)
                        .ContinueWith(_ => waker.Signal(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                }

                HostDescriptors.Block(waker, host);
                stop.Cancel();
            }
        }
        finally
        {
            lock (HostWaiters)
            {
                HostWaiters.Remove(waker);
                s_hostWaiterCount = HostWaiters.Count;
            }
        }
    }

    /// <summary>
    /// Waits, without the GIL, until <paramref name="ready"/> holds, the deadline passes on <paramref name="clock"/>
    /// (<see langword="null"/>: no deadline), or <paramref name="token"/> is cancelled (which throws).
    /// </summary>
    /// <returns>Whether <paramref name="ready"/> held before the deadline.</returns>
    public static bool WaitUntil(Func<bool> ready, TimeProvider clock, TimeSpan? timeout, CancellationToken token)
    {
        var start = clock.GetTimestamp();
        while (true)
        {
            var next = Next;
            if (ready())
            {
                return true;
            }

            TimeSpan? remaining = timeout is { } t ? t - clock.GetElapsedTime(start) : null;
            if (remaining is { } r && r <= TimeSpan.Zero)
            {
                return false;
            }

            token.ThrowIfCancellationRequested();
            var waits = new List<Task>(2) { next };
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
            if (remaining is { } left)
            {
                // Timers take at most ~49 days: a longer wait wakes once on the way and goes on.
                waits.Add(Task.Delay(left < MaxStep ? left : MaxStep, clock, stop.Token));
            }
            else
            {
                waits.Add(Task.Delay(Timeout.InfiniteTimeSpan, stop.Token));
            }

            Task.WhenAny(waits).GetAwaiter().GetResult();
            stop.Cancel();
            token.ThrowIfCancellationRequested();
        }
    }

    private static readonly TimeSpan MaxStep = TimeSpan.FromDays(1);
}
