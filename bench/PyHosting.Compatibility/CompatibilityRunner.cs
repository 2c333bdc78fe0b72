using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace PyHosting.Compatibility;

/// <summary>How the runner runs modules.</summary>
public sealed class RunnerSettings
{
    /// <summary>Gets or sets the plain CPython 3.11 executable of the baseline; by default the <c>bin/python3.11</c>
    /// of the installation the runtime embeds, so that both sides run the same interpreter and test suite.</summary>
    public string? PythonExecutable { get; set; }

    /// <summary>Gets or sets the time limit of one module on one target; the process is killed after it.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Gets or sets the directory under which each run gets its own working directory (the system's temporary directory by default).</summary>
    public string? WorkRoot { get; set; }

    /// <summary>Gets configuration entries that replace the Managed runtime's defaults (<c>--set Key=Value</c>), e.g. <c>PythonRuntime:Permissions:HostSockets=false</c>.</summary>
    public Dictionary<string, string?> Overrides { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// Runs one module of CPython's regression test suite (<c>test.&lt;module&gt;</c>, loaded with unittest's loader) in a
/// fresh process: plain CPython, or a generic host with a Managed runtime that has every permission (see
/// <see cref="ManagedHost"/>). Both run the same driver script, so both count the same way.
/// </summary>
public sealed class CompatibilityRunner(RunnerSettings settings)
{
    /// <summary>The standard-library extensions that the Managed backend loads only when registered, as
    /// native extensions are; the runner registers those that are installed (the subinterpreter modules
    /// excepted: they run code outside the backend altogether).</summary>
    public static readonly IReadOnlyList<string> RegisteredExtensionCandidates =
    [
        "_sqlite3", "_dbm", "_gdbm", "mmap", "resource", "_multiprocessing", "_posixshmem", "termios", "readline",
        "_ssl", "_uuid", "_curses", "_curses_panel", "_testcapi", "_testinternalcapi", "_testbuffer",
        "_testmultiphase", "_testclinic", "_testimportmultiple", "_ctypes_test",
    ];

    private const int TailLength = 4000;
    private readonly SemaphoreSlim _setupGate = new(1, 1);
    private string? _driverPath;
    private HashSet<string>? _testModules;
    private List<string>? _nativeExtensions;

    /// <summary>Gets the text of the driver script that loads and runs a test module.</summary>
    public static string DriverSource
    {
        get
        {
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("run_module.py")
                ?? throw new InvalidOperationException("The driver script is not embedded in the runner.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Checks that the baseline Python and the regression test suite are installed.</summary>
    /// <returns><see langword="null"/> when they are, otherwise what is missing and how to install it.</returns>
    public async Task<string?> CheckTestSuiteAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await EnsureSetUpAsync(cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }

        return null;
    }

    /// <summary>Gets the standard-library extensions the runner registers (those of <see cref="RegisteredExtensionCandidates"/> that are installed).</summary>
    /// <returns>Module names.</returns>
    public async Task<IReadOnlyList<string>> NativeExtensionsAsync(CancellationToken cancellationToken = default)
    {
        await EnsureSetUpAsync(cancellationToken);
        return _nativeExtensions!;
    }

    /// <summary>Runs <c>test.&lt;module&gt;</c> on <paramref name="target"/> in a fresh process.</summary>
    /// <param name="module">The module under <c>test</c>, e.g. <c>test_json</c> or <c>test_asyncio.test_tasks</c>.</param>
    /// <param name="target">Plain CPython or the Managed backend.</param>
    /// <param name="cancellationToken">Kills the process.</param>
    /// <returns>The counts, or a result whose status says why there are none.</returns>
    public async Task<ModuleResult> RunAsync(string module, CompatibilityTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        await EnsureSetUpAsync(cancellationToken);
        if (!_testModules!.Contains(module.Split('.')[0]))
        {
            return new ModuleResult { Module = module, Target = target, Status = "missing", Detail = "not in the installed regression test suite" };
        }

        var root = settings.WorkRoot ?? Path.GetTempPath();
        var workDirectory = Path.Combine(root, $"pyhosting-compat-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var temp = Path.Combine(workDirectory, "tmp");
        Directory.CreateDirectory(temp);
        var resultPath = Path.Combine(workDirectory, "result.json");
        var cwd = Path.Combine(workDirectory, "cwd");
        Directory.CreateDirectory(cwd);
        try
        {
            var startInfo = target == CompatibilityTarget.CPython
                ? new ProcessStartInfo(settings.PythonExecutable!) { ArgumentList = { _driverPath!, module, resultPath, ProgressPath(resultPath) } }
                : ManagedHost.StartInfo(module, resultPath, cwd, _nativeExtensions!, settings.Overrides);
            startInfo.WorkingDirectory = cwd;
            startInfo.Environment["TMPDIR"] = temp;
            var stopwatch = Stopwatch.StartNew();
            var (exitCode, tail, timedOut) = await RunProcessAsync(startInfo, cancellationToken);
            var seconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 1);
            if (File.Exists(resultPath) && new FileInfo(resultPath).Length > 0)
            {
                var result = JsonSerializer.Deserialize<ModuleResult>(await File.ReadAllTextAsync(resultPath, cancellationToken), JsonOptions)!;
                result.Target = target;
                result.Module = module;
                result.Seconds = seconds;
                return WithoutWorkDirectory(result, workDirectory);
            }

            var partial = FromProgress(ProgressPath(resultPath));
            partial.Module = module;
            partial.Target = target;
            partial.Status = timedOut ? "timeout" : "crashed";
            partial.Seconds = seconds;
            partial.Detail = timedOut ? $"killed after {settings.TimeLimit.TotalSeconds:0} s" : $"exit code {exitCode}: {LastLines(tail, 6)}";
            return WithoutWorkDirectory(partial, workDirectory);
        }
        finally
        {
            TryDelete(workDirectory);
        }
    }

    /// <summary>Gets the file beside a result file where the driver logs each test as it starts and ends.</summary>
    /// <param name="resultPath">The result file.</param>
    /// <returns>The progress file.</returns>
    public static string ProgressPath(string resultPath) => resultPath + ".progress";

    /// <summary>Rebuilds the counts of a run that ended without a result from its progress file: the tests that ended,
    /// and the one that was running (a <c>running</c> problem).</summary>
    private static ModuleResult FromProgress(string progressPath)
    {
        var result = new ModuleResult();
        if (!File.Exists(progressPath))
        {
            return result;
        }

        var outcomes = new Dictionary<string, (string Outcome, string Detail)>();
        string? running = null;
        foreach (var line in File.ReadLines(progressPath))
        {
            var fields = line.Split('\t');
            switch (fields[0])
            {
                case "start" when fields.Length > 1:
                    running = fields[1];
                    break;
                case "done" when fields.Length > 2:
                    outcomes[fields[1]] = (fields[2], fields.Length > 3 ? fields[3] : string.Empty);
                    running = running == fields[1] ? null : running;
                    break;
                case "fixture" when fields.Length > 1:
                    result.FixtureErrors++;
                    result.Problems.Add(new TestProblem { Id = fields[1], Outcome = "fixture", Detail = fields.Length > 3 ? fields[3] : string.Empty });
                    break;
            }
        }

        foreach (var (id, (outcome, detail)) in outcomes)
        {
            result.Run++;
            switch (outcome)
            {
                case "passed": result.Passed++; break;
                case "skipped": result.Skipped++; result.SkippedIds.Add(id); break;
                case "failed": result.Failed++; result.Problems.Add(new TestProblem { Id = id, Outcome = outcome, Detail = detail }); break;
                default: result.Errored++; result.Problems.Add(new TestProblem { Id = id, Outcome = "errored", Detail = detail }); break;
            }
        }

        if (running is not null)
        {
            result.Problems.Insert(0, new TestProblem { Id = running, Outcome = "running", Detail = "was running when the process ended" });
        }

        return result;
    }

    /// <summary>Replaces the run's own working directory in messages with <c>$WORK</c>, so that results compare across runs and machines.</summary>
    private static ModuleResult WithoutWorkDirectory(ModuleResult result, string workDirectory)
    {
        foreach (var problem in result.Problems)
        {
            problem.Detail = problem.Detail.Replace(workDirectory, "$WORK", StringComparison.Ordinal);
        }

        result.Detail = result.Detail?.Replace(workDirectory, "$WORK", StringComparison.Ordinal);
        return result;
    }

    /// <summary>The JSON options of result files.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private async Task EnsureSetUpAsync(CancellationToken cancellationToken)
    {
        await _setupGate.WaitAsync(cancellationToken);
        try
        {
            if (_driverPath is not null)
            {
                return;
            }

            await ResolveBaselineAsync(cancellationToken);

            // The test package and the installed standard-library extensions, as the baseline Python sees them.
            const string probe = """
                import importlib.machinery, json, os, sys, sysconfig
                try:
                    import test, test.support
                    tests = sorted(n.removesuffix('.py') for n in os.listdir(os.path.dirname(test.__file__)) if n.startswith('test_'))
                except ImportError as e:
                    tests = None
                dynload = sysconfig.get_config_var('DESTSHARED') or ''
                names = os.listdir(dynload) if os.path.isdir(dynload) else []
                exts = sorted({n.split('.')[0] for n in names if n.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))})
                print(json.dumps({'tests': tests, 'extensions': exts, 'version': sys.version}))
                """;
            var startInfo = new ProcessStartInfo(settings.PythonExecutable!) { ArgumentList = { "-c", probe }, RedirectStandardOutput = true, RedirectStandardError = true };
            string output;
            try
            {
                using var process = Process.Start(startInfo)!;
                output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"'{settings.PythonExecutable}' could not be started ({e.Message}); run eng/setup.sh to install CPython 3.11.", e);
            }

            using var document = JsonDocument.Parse(output);
            BaselineVersion = document.RootElement.GetProperty("version").GetString();
            if (BaselineVersion != RuntimeVersion)
            {
                throw new InvalidOperationException($"The baseline '{settings.PythonExecutable}' is CPython {BaselineVersion}, the runtime embeds {RuntimeVersion}: pass the same installation's executable with --python.");
            }

            if (document.RootElement.GetProperty("tests").ValueKind != JsonValueKind.Array)
            {
                throw new InvalidOperationException("CPython's regression test suite (the 'test' package) is not installed: run eng/setup.sh, which installs Debian's libpython3.11-testsuite.");
            }

            _testModules = [.. document.RootElement.GetProperty("tests").EnumerateArray().Select(static e => e.GetString()!)];
            var installed = document.RootElement.GetProperty("extensions").EnumerateArray().Select(static e => e.GetString()!).ToHashSet();
            _nativeExtensions = [.. RegisteredExtensionCandidates.Where(installed.Contains)];
            // One file per driver version, shared by runs.
            var source = DriverSource;
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..16];
            var driver = Path.Combine(settings.WorkRoot ?? Path.GetTempPath(), $"pyhosting-compat-driver-{hash}.py");
            if (!File.Exists(driver))
            {
                var staging = driver + "." + Guid.NewGuid().ToString("N");
                await File.WriteAllTextAsync(staging, source, cancellationToken);
                File.Move(staging, driver, overwrite: true);
            }

            _driverPath = driver;
        }
        finally
        {
            _setupGate.Release();
        }
    }

    private async Task ResolveBaselineAsync(CancellationToken cancellationToken)
    {
        var workDirectory = Path.Combine(settings.WorkRoot ?? Path.GetTempPath(), $"pyhosting-compat-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(workDirectory);
        try
        {
            var resultPath = Path.Combine(workDirectory, "probe.json");
            var startInfo = ManagedHost.StartInfo(ManagedHost.ProbeModule, resultPath, workDirectory, []);
            startInfo.WorkingDirectory = workDirectory;
            var (exitCode, tail, _) = await RunProcessAsync(startInfo, cancellationToken);
            if (!File.Exists(resultPath))
            {
                throw new InvalidOperationException($"The Managed runtime did not start (exit code {exitCode}): {LastLines(tail, 10)}");
            }

            using var probe = JsonDocument.Parse(await File.ReadAllTextAsync(resultPath, cancellationToken));
            RuntimeVersion = probe.RootElement.GetProperty("version").GetString();
            settings.PythonExecutable ??= Path.Combine(probe.RootElement.GetProperty("prefix").GetString()!, "bin", "python3.11");
        }
        finally
        {
            TryDelete(workDirectory);
        }
    }

    /// <summary>Gets the <c>sys.version</c> of the CPython the runtime embeds (once a run has started).</summary>
    public string? RuntimeVersion { get; private set; }

    /// <summary>Gets the <c>sys.version</c> of the baseline CPython (once a run has started).</summary>
    public string? BaselineVersion { get; private set; }

    private async Task<(int? ExitCode, string Tail, bool TimedOut)> RunProcessAsync(ProcessStartInfo startInfo, CancellationToken cancellationToken)
    {
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        foreach (var name in startInfo.Environment.Keys.Where(static k => k.StartsWith("PYTHON", StringComparison.Ordinal) || k == "DOTNET_ENVIRONMENT").ToList())
        {
            startInfo.Environment.Remove(name);
        }

        var tail = new StringBuilder();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"'{startInfo.FileName}' could not be started.");
        process.StandardInput.Close();
        var pumps = new[] { Pump(process.StandardOutput, tail), Pump(process.StandardError, tail) };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(settings.TimeLimit);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
        }

        // Children a test left behind hold the pipes open: the whole tree goes, and the pumps are waited for briefly.
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had exited.
        }

        await process.WaitForExitAsync(CancellationToken.None);
        await Task.WhenAny(Task.WhenAll(pumps), Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
        cancellationToken.ThrowIfCancellationRequested();
        string text;
        lock (tail)
        {
            text = tail.ToString();
        }

        return (timedOut ? null : process.ExitCode, text, timedOut);
    }

    private static async Task Pump(StreamReader reader, StringBuilder tail)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (tail)
            {
                tail.Append(buffer, 0, read);
                if (tail.Length > TailLength * 2)
                {
                    tail.Remove(0, tail.Length - TailLength);
                }
            }
        }
    }

    private static string LastLines(string text, int count) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(count));

    private static void TryDelete(string directory)
    {
        try
        {
            // Tests may leave read-only directories behind.
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
            {
                if (!OperatingSystem.IsWindows() && entry is DirectoryInfo && entry.LinkTarget is null)
                {
                    File.SetUnixFileMode(entry.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the system's temporary-file cleaning.
        }
    }
}
