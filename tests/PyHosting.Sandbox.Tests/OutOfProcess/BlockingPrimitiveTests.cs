using System.Text.Json.Nodes;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// Every way Python code can block in C observes the call's cancellation (Managed backend, default permissions):
/// each method of the lock, re-entrant lock and simple queue types, called with every blocking form of its
/// arguments on an object that cannot be had, and each other blocking primitive, ends when the call is cancelled:
/// its caller is never released with a call that "keeps running". Out-of-process: a wait that ignored the
/// cancellation would keep its thread for good.
/// </summary>
public sealed class BlockingPrimitiveTests(DefaultPermissionsFixture fixture) : IClassFixture<DefaultPermissionsFixture>
{
    /// <summary>Objects that cannot be had by the calling thread, by type: the lock held, the re-entrant lock owned by another thread id, the queue empty.</summary>
    private static readonly Dictionary<string, string> Setups = new(StringComparer.Ordinal)
    {
        ["_thread.LockType"] = "import _thread\nobj = _thread.allocate_lock()\nobj.acquire()",
        ["_thread.RLock"] = "import _thread\nobj = _thread.RLock()\nobj._acquire_restore((1, _thread.get_ident() ^ 1))",
        ["_queue.SimpleQueue"] = "import _queue\nobj = _queue.SimpleQueue()",
    };

    /// <summary>Argument lists that ask a method to wait, without a bound or with a long one.</summary>
    private static readonly string[] BlockingArguments =
    [
        "()", "(True)", "(1)", "(True, -1)", "(True, 1e6)", "(blocking=True)", "(block=True)", "(timeout=-1)",
        "(timeout=None)", "(timeout=1e6)", "(True, timeout=-1)", "(blocking=True, timeout=1e6)", "(block=True, timeout=None)",
        "((1, 1),)", "((1, __import__('_thread').get_ident()),)", "(True, float('inf'))", "(timeout=float('nan'))", "(True, 1e300)",
    ];

    public static TheoryData<string> Types() => [.. Setups.Keys];

    public static TheoryData<string, string> OtherPrimitives => new()
    {
        { "threading.Event.wait", "import threading\nthreading.Event().wait()" },
        { "threading.Condition.wait", "import threading\nc = threading.Condition()\nc.acquire()\nc.wait()" },
        { "threading.Condition.wait_for", "import threading\nc = threading.Condition(threading.Lock())\nc.acquire()\nc.wait_for(lambda: False)" },
        { "threading.Semaphore.acquire", "import threading\nthreading.Semaphore(0).acquire()" },
        { "threading.Barrier.wait", "import threading\nthreading.Barrier(2).wait()" },
        { "queue.Queue.get", "import queue\nqueue.Queue().get()" },
        { "queue.SimpleQueue.get", "import queue\nqueue.SimpleQueue().get(block=True, timeout=None)" },
        { "time.sleep", "import time\ntime.sleep(1e6)" },
        { "select.select", "import select, os\nr, w = os.pipe()\nselect.select([r], [], [], None)" },
        { "selectors.DefaultSelector.select", "import selectors, os\nr, w = os.pipe()\ns = selectors.DefaultSelector()\ns.register(r, selectors.EVENT_READ)\ns.select()" },
        { "readinto on a pipe", "import os\nr, w = os.pipe()\nos.fdopen(r, 'rb').readinto(bytearray(1))" },
        { "concurrent.futures.Future.result", "import concurrent.futures\nconcurrent.futures.Future().result()" },
        { "select.poll", "import select, os\nr, w = os.pipe()\np = select.poll()\np.register(r)\np.poll()" },
        { "signal.pause", "import signal\nsignal.pause()" },
        { "signal.sigwait", "import signal\nsignal.sigwait([signal.SIGUSR1])" },
        { "signal.sigtimedwait", "import signal\nsignal.sigtimedwait([signal.SIGUSR1], 1e6)" },
        { "signal.sigwaitinfo", "import signal\nsignal.sigwaitinfo([signal.SIGUSR1])" },
        { "os.wait", "import os\nos.wait()" },
        { "os.waitpid", "import os\nos.waitpid(-1, 0)" },
        { "os.waitid", "import os\nos.waitid(os.P_ALL, 0, os.WEXITED)" },
        { "os.wait3", "import os\nos.wait3(0)" },
        { "os.read on a pipe", "import os\nr, w = os.pipe()\nos.read(r, 1)" },
        { "io read on a pipe", "import os\nr, w = os.pipe()\nopen(r, 'rb', buffering=0).read()" },
        { "buffered read on a pipe", "import os\nr, w = os.pipe()\nopen(r, 'rb').read(1)" },
        { "text readline on a pipe", "import os\nr, w = os.pipe()\nopen(r).readline()" },
        { "input()", "input()" },
        { "sys.stdin.read", "import sys\nsys.stdin.read()" },
        { "os.read(0)", "import os\nos.read(0, 1)" },
        { "Thread.join", "import threading\nthreading.main_thread().join()" },
        { "_thread.lock.acquire_lock twice", "import _thread\nl = _thread.allocate_lock()\nl.acquire_lock()\nl.acquire_lock()" },
        { "RLock._acquire_restore", "import threading\nr = threading.RLock()\nr.acquire()\nr._acquire_restore((1, 1))" },
        { "Condition over an RLock", "import threading\nr = threading.RLock()\nc = threading.Condition(r)\nc.acquire()\nstate = c._release_save()\nr._acquire_restore((1, 1))\nc._acquire_restore(state)" },
    };

    [Theory]
    [MemberData(nameof(Types))]
    public async Task EveryMethod_CalledToBlock_EndsWhenTheCallIsCancelled(string type)
    {
        var setup = Setups[type];
        var (module, name) = (type[..type.IndexOf('.', StringComparison.Ordinal)], type[(type.IndexOf('.', StringComparison.Ordinal) + 1)..]);
        var t = $"getattr(__import__('{module}'), '{name}')";
        var listed = await fixture.Python.EvalAsync($"__import__('json').dumps(sorted(n for n in dir({t}) if callable(getattr({t}, n)) and (not n.startswith('__') or n in ('__enter__', '__exit__'))))");
        var methods = JsonNode.Parse(listed.GetResult<string>()!)!.AsArray().Select(static n => (string)n!).ToList();
        Assert.NotEmpty(methods);

        var kept = new List<string>();
        foreach (var method in methods)
        {
            foreach (var arguments in BlockingArguments)
            {
                var response = await fixture.Python.ExecAsync($"{setup}\nobj.{method}{arguments}", timeoutMs: 300);
                if (response.Message?.Contains("keeps running", StringComparison.Ordinal) == true)
                {
                    kept.Add($"{type}.{method}{arguments}");
                }
            }
        }

        Assert.Empty(kept);
        await fixture.AssertAliveAsync();
    }

    [Fact]
    public async Task ReplacedWaits_AnswerAsCPythonDoes()
    {
        var response = await fixture.Python.ExecAsync("""
            import _thread, threading, _queue
            l = _thread.allocate_lock()
            l.acquire()
            r = [l.acquire(timeout=0.1), l.acquire(blocking=True, timeout=0.1), l.acquire(True, 0.1), l.acquire(False)]
            for call, error in ((lambda: l.acquire(True, float('inf')), OverflowError), (lambda: l.acquire(False, 1), ValueError),
                                (lambda: l.acquire(foo=1), TypeError), (lambda: l.acquire(True, blocking=True), TypeError),
                                (lambda: l.acquire(timeout=-2), ValueError)):
                try:
                    call()
                    r.append('no error')
                except error:
                    r.append(error.__name__)
            q = _queue.SimpleQueue()
            try:
                q.get(timeout=0.1)
            except _queue.Empty:
                r.append('Empty')
            q.put(1)
            r.append(q.get(block=True, timeout=None))
            rl = threading.RLock()
            c = threading.Condition(rl)
            with c:
                r.append(c.wait(0.1))
                r.append(rl._is_owned())
            rl.acquire()
            rl.acquire()
            state = rl._release_save()
            r.append(rl._is_owned())
            rl._acquire_restore(state)
            r.append(rl._is_owned())
            rl.release()
            rl.release()
            r.append(rl._is_owned())
            result = repr(r)
            """);
        Assert.Null(response.Type);

        var result = await fixture.Python.EvalAsync("result");

        Assert.Equal("[False, False, False, False, 'OverflowError', 'ValueError', 'TypeError', 'TypeError', 'ValueError', 'Empty', 1, False, True, False, True, False]", result.GetResult<string>());
    }

    [Theory]
    [MemberData(nameof(OtherPrimitives))]
    public async Task BlockingPrimitive_EndsWhenTheCallIsCancelled(string what, string code)
    {
        var response = await fixture.Python.ExecAsync(code, timeoutMs: 300);

        Assert.False(response.Message?.Contains("keeps running", StringComparison.Ordinal) == true, $"{what}: {response.Message}");
        await fixture.AssertAliveAsync();
    }
}
