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

    #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
    [ThreadStatic]
    private static bool t_isCallThread;
    #pragma warning restore IDE1006

    /// <summary>Gets how many call threads were started so far.</summary>
    public static int Started => Volatile.Read(ref s_started);

    /// <summary>Work for a call thread: runs once, completes its own task and never throws.</summary>
    public interface IWork
    {
        void Run();
    }

    /// <summary>Gets whether the current thread is a call thread.</summary>
    public static bool IsCallThread => t_isCallThread;

    /// <summary>Runs <paramref name="work"/> on a call thread (an idle one, or a new one).</summary>
    public static void Post(IWork work)
    {
        while (Idle.TryPop(out var worker))
        {
            if (worker.TryGive(work))
            {
                return;
            }
        }

        Interlocked.Increment(ref s_started);
        var thread = new Thread(new Worker(work).Loop, StackSize) { IsBackground = true, Name = "PyHosting call" };
        thread.Start();
    }

    private sealed class Worker(IWork first)
    {
        private readonly Lock _gate = new();
        private readonly SemaphoreSlim _given = new(0);
        private IWork? _next = first;
        private bool _retired;

        /// <summary>Hands the worker its next item; false when it has retired meanwhile.</summary>
        public bool TryGive(IWork item)
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
            t_isCallThread = true;
            while (true)
            {
                IWork? item;
                lock (_gate)
                {
                    item = _next;
                    _next = null;
                }

                item?.Run();
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
