using System.Diagnostics;
using System.Globalization;

namespace PyHosting.Benchmarks;

/// <summary>
/// A steady loop of one case for an external profiler (for example <c>perf record</c> with
/// <c>DOTNET_PerfMapEnabled=1</c>): <c>--profile &lt;invoke|eval|files|files-phases|stat|open-close|time&gt; &lt;backend&gt; [seconds]</c>.
/// Prints the number of operations and the time per operation.
/// </summary>
internal static class ProfileLoop
{
    public static int Run(string workload, BenchmarkBackend backend, double seconds, TextWriter output)
    {
        using var runtime = BenchmarkRuntime.Start(backend, o => o.Permissions.EnvironmentVariables["X"] = "1");
        runtime.DefineModule("pyhosting_profile", ProfileSource);
        if (workload == "files-phases")
        {
            // Time per file of each phase of the file workload (cProfile is not available in the Managed backend).
            var report = runtime.Runtime.InvokeAsync<string>("pyhosting_profile", "phases", [runtime.DataPath, FileWorkloadBenchmarks.FileCount, 20]).GetAwaiter().GetResult();
            output.WriteLine(report);
            return 0;
        }

        Func<Task> operation = workload switch
        {
            "invoke" => () => runtime.Runtime.InvokeAsync<object>(BenchmarkRuntime.ModuleName, "noop", []),
            "eval" => () => runtime.Runtime.EvaluateAsync<int>("1"),
            "files" => () => runtime.Runtime.InvokeAsync<long>("pyhosting_profile", "files", [runtime.DataPath, FileWorkloadBenchmarks.FileCount]),
            "time" => () => runtime.Runtime.InvokeAsync<object>("pyhosting_profile", "time_loop", [100_000]),
            "stat" => () => runtime.Runtime.InvokeAsync<object>("pyhosting_profile", "stat_loop", [runtime.DataPath, 10_000]),
            "open-close" => () => runtime.Runtime.InvokeAsync<object>("pyhosting_profile", "open_close_loop", [runtime.DataPath, 10_000]),
            _ => throw new ArgumentException($"Unknown workload '{workload}': use invoke, eval, files, stat, open-close or time.", nameof(workload)),
        };

        // One operation first, so that start-up work done on first use is not counted.
        operation().GetAwaiter().GetResult();
        using var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        long count = 0;
        while (stopwatch.Elapsed.TotalSeconds < seconds)
        {
            operation().GetAwaiter().GetResult();
            count++;
        }

        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuStart;

        // CPU time (all threads of the process) is far less sensitive to the machine's load than wall-clock time.
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PROFILE {workload} {backend}: {count} operations, {stopwatch.Elapsed.TotalMilliseconds * 1000 / count:F2} µs each, {cpu.TotalMilliseconds * 1000 / count:F2} µs of CPU each"));
        return 0;
    }

    private const string ProfileSource =
        "import os, time\n" +
        "def files(root, count):\n" +
        "    total = 0\n" +
        "    for i in range(count):\n" +
        "        with open(root + '/f%d.txt' % i, 'w') as f:\n" +
        "            f.write('x' * 100)\n" +
        "    for i in range(count):\n" +
        "        with open(root + '/f%d.txt' % i) as f:\n" +
        "            total += len(f.read())\n" +
        "    for i in range(count):\n" +
        "        total += os.stat(root + '/f%d.txt' % i).st_size\n" +
        "    for name in os.listdir(root):\n" +
        "        os.remove(root + '/' + name)\n" +
        "    return total\n" +
        "def phases(root, count, repeat):\n" +
        "    clock = time.perf_counter\n" +
        "    acc = {}\n" +
        "    def add(k, t):\n" +
        "        acc[k] = acc.get(k, 0.0) + t\n" +
        "    for _ in range(repeat):\n" +
        "        t = clock()\n" +
        "        for i in range(count):\n" +
        "            with open(root + '/f%d.txt' % i, 'w') as f:\n" +
        "                f.write('x' * 100)\n" +
        "        add('write (open w, write, close)', clock() - t); t = clock()\n" +
        "        for i in range(count):\n" +
        "            with open(root + '/f%d.txt' % i) as f:\n" +
        "                f.read()\n" +
        "        add('read (open r, read, close)', clock() - t); t = clock()\n" +
        "        for i in range(count):\n" +
        "            os.stat(root + '/f%d.txt' % i)\n" +
        "        add('os.stat', clock() - t); t = clock()\n" +
        "        for i in range(count):\n" +
        "            f = open(root + '/f%d.txt' % i, 'rb', buffering=0); f.close()\n" +
        "        add('raw FileIO open+close (extra)', clock() - t); t = clock()\n" +
        "        for i in range(count):\n" +
        "            fd = os.open(root + '/f%d.txt' % i, os.O_RDONLY); os.close(fd)\n" +
        "        add('os.open+os.close (extra)', clock() - t); t = clock()\n" +
        "        names = os.listdir(root)\n" +
        "        add('os.listdir', clock() - t); t = clock()\n" +
        "        for name in names:\n" +
        "            os.remove(root + '/' + name)\n" +
        "        add('os.remove', clock() - t)\n" +
        "    return '\\n'.join('%-32s %8.1f us/file' % (k, v * 1e6 / count / repeat) for k, v in acc.items())\n" +
        "def stat_loop(root, n):\n" +
        "    for i in range(1000):\n" +
        "        with open(root + '/f%d.txt' % i, 'w') as f:\n" +
        "            f.write('x')\n" +
        "    for i in range(n):\n" +
        "        os.stat(root + '/f%d.txt' % (i % 1000))\n" +
        "    for i in range(1000):\n" +
        "        os.remove(root + '/f%d.txt' % i)\n" +
        "def open_close_loop(root, n):\n" +
        "    p = root + '/open.txt'\n" +
        "    with open(p, 'w') as f:\n" +
        "        f.write('x')\n" +
        "    for _ in range(n):\n" +
        "        os.close(os.open(p, os.O_RDONLY))\n" +
        "def time_loop(n):\n" +
        "    for _ in range(n):\n" +
        "        time.time()\n";
}
