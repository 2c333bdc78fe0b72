namespace PyHosting.Internal;

/// <summary>
/// The threads that run calls: dedicated ones with a stack of <see cref="StackSize"/>, not the thread pool's
/// (1.5 MiB on Linux), so that the recursion limit the runtime allows fits every thread that runs Python and the
/// C recursions CPython does not bound (hashing, repr or deallocation of deeply nested objects) go deeper before
/// they reach the end of the stack. A thread is kept while calls come and ends after <see cref="IdleTimeout"/>
/// without one; its Python thread state is then deleted by a later call (<see cref="PythonThreadState"/>).
/// </summary>
internal static class CallThreads
{
    /// <summary>The stack of a call thread, and the least stack a Python thread gets in the Managed backend.</summary>
    public const int StackSize = 64 * 1024 * 1024;

    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private static readonly System.Collections.Concurrent.ConcurrentStack<Worker> Idle = new();
    private static int s_started;

    /// <summary>Gets how many call threads were started so far.</summary>
    public static int Started => Volatile.Read(ref s_started);

    /// <summary>Runs <paramref name="work"/> on a call thread, in the caller's execution context.</summary>
    public static Task<T?> Run<T>(Func<T?> work)
    {
        var completion = new TaskCompletionSource<T?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var context = ExecutionContext.Capture();
        void Item()
        {
            try
            {
                completion.TrySetResult(work());
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
            }
        }

        Action item = context is null ? Item : () => ExecutionContext.Run(context, static s => ((Action)s!)(), (Action)Item);
        while (Idle.TryPop(out var worker))
        {
            if (worker.TryGive(item))
            {
                return completion.Task;
            }
        }

        Interlocked.Increment(ref s_started);
        var thread = new Thread(new Worker(item).Loop, StackSize) { IsBackground = true, Name = "PyHosting call" };
        thread.Start();
        return completion.Task;
    }

    private sealed class Worker(Action first)
    {
        private readonly Lock _gate = new();
        private readonly SemaphoreSlim _given = new(0);
        private Action? _next = first;
        private bool _retired;

        /// <summary>Hands the worker its next item; false when it has retired meanwhile.</summary>
        public bool TryGive(Action item)
        {
            lock (_gate)
            {
                if (_retired)
                {
                    return false;
                }

                _next = item;
            }

            _given.Release();
            return true;
        }

        public void Loop()
        {
            while (true)
            {
                Action? item;
                lock (_gate)
                {
                    item = _next;
                    _next = null;
                }

                item?.Invoke();
                Idle.Push(this);
                if (!_given.Wait(IdleTimeout))
                {
                    lock (_gate)
                    {
                        if (_next is null)
                        {
                            _retired = true;
                            return;
                        }
                    }

                    // Given an item just as the wait ended: its release is still counted.
                    _given.Wait(0);
                }
            }
        }
    }
}
