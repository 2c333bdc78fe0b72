using PyHosting.Internal.Managed.Modules;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// The runtime's child processes, started through <see cref="IPythonProcessProvider"/>. Python sees
/// virtual pids that name entries of this table only; signals and waits reach nothing else.
/// </summary>
internal sealed class ChildProcesses(ManagedBackend backend)
{
    private readonly Dictionary<int, Child> _children = [];
    private readonly Lock _gate = new();
    private int _nextPid = 2000;

    /// <summary>The standard streams of a child: a virtual descriptor's file, or <see langword="null"/> for the runtime's descriptor 0, 1 or 2.</summary>
    public readonly record struct Stdio(OpenFile? Input, OpenFile? Output, OpenFile? Error, bool ErrorToOutput);

    public int Start(IReadOnlyList<string> argv, string? workingDirectory, IReadOnlyDictionary<string, string> environment, Stdio stdio)
    {
        backend.CheckCreateProcess($"starting '{argv[0]}'");
        var sink = CallContext.Current?.Output ?? backend.DefaultSink;

        // A stream Python did not redirect is the runtime's descriptor 0, 1 or 2, as a forked child inherits
        // them (os.dup2 may have pointed one at a file); the runtime's own streams go to the call's output.
        var input = stdio.Input ?? Inherited(0);
        var output = stdio.Output ?? Inherited(1);
        var error = stdio.ErrorToOutput ? output : stdio.Error ?? Inherited(2);
        var (outputTarget, outputFd) = Target(output, 1);
        var (errorTarget, errorFd) = Target(error, 2);
        var feedsInput = input is not (NullFile or StandardFile);
        var info = new PythonProcessStartInfo(argv)
        {
            WorkingDirectory = workingDirectory,
            Environment = ChildEnvironment.Sanitise(environment, AllowedNames(), backend.Compatibility, AllowedPrefixes()),
            StandardInput = feedsInput ? PythonStdio.Pipe : PythonStdio.Null,
            StandardOutput = output is NullFile ? PythonStdio.Null : PythonStdio.Pipe,
            StandardError = error is NullFile ? PythonStdio.Null : PythonStdio.Pipe,
        };
        ManagedErrors.SetPaths(argv[0]);
        IPythonProcess process;
        try
        {
            process = backend.Processes.Start(info);
        }
        catch (UnauthorizedAccessException e) when (e.Message.Contains(AllowListPythonProcessProvider.ConfigurationKey, StringComparison.Ordinal))
        {
            // The allow-list's refusal names the key that would allow the program: Python sees it as any refusal does.
            throw ManagedBackend.Denied(e.Message, AllowListPythonProcessProvider.ConfigurationKey);
        }

        // On failure the path stays set: the error's mapping names the program.
        ManagedErrors.SetPaths(null);
        var outputPump = output is NullFile ? Task.CompletedTask : Pump(process.StandardOutput, outputTarget, outputFd, sink);
        var errorPump = error is NullFile ? Task.CompletedTask : Pump(process.StandardError, errorTarget, errorFd, sink);

        // Output copied to the runtime's streams or to a file is complete when a wait returns, as if the child had
        // written it itself; output copied into a pipe is not waited for: its reader may be the code that waits.
        var atWait = Task.WhenAll(outputTarget is VirtualPipe.End ? Task.CompletedTask : outputPump, errorTarget is VirtualPipe.End ? Task.CompletedTask : errorPump);
        // The exit, once observed, is what waitpid(WNOHANG) reports and what the emulated SIGCHLD announces; it also
        // closes the child's end of its input pipe (writers then see EPIPE, and the pipe's write end polls readable).
        var exit = process.WaitForExitAsync(CancellationToken.None);
        if (feedsInput && process.StandardInput is { } childInput)
        {
            input.AddReference();
            var exited = new CancellationTokenSource();
            _ = exit.ContinueWith(
                _ =>
                {
                    try
                    {
                        exited.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // The input had ended first.
                    }
                },
                CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            _ = Task.Run(() => FeedInput(input, childInput, exited));
        }

        _ = exit.ContinueWith(_ => backend.ChildExited?.Invoke(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        lock (_gate)
        {
            var pid = _nextPid++;
            _children[pid] = new Child(process, Task.WhenAll(outputPump, errorPump), atWait, exit);
            return pid;
        }
    }

    /// <summary>The names a child may receive besides <see cref="ChildEnvironment.DefaultNames"/>: those the host listed.</summary>
    private HashSet<string> AllowedNames()
    {
        var names = new HashSet<string>(backend.Options.Processes.EnvironmentVariables, StringComparer.Ordinal);
        names.UnionWith(backend.Permissions.EnvironmentVariables.Keys);
        return names;
    }

    /// <summary>The prefixes a child's variable names may have: the entries of <c>Processes:EnvironmentVariables</c> that end in <c>*</c>.</summary>
    private List<string> AllowedPrefixes()
        => [.. backend.Options.Processes.EnvironmentVariables.Where(static name => name.EndsWith('*')).Select(static name => name[..^1])];

    /// <summary>The runtime's descriptor <paramref name="fd"/> as a child inherits it (a closed one reads and writes nothing).</summary>
    private OpenFile Inherited(int fd) => backend.Fds.TryGet(fd, out var file) ? file! : new NullFile();

    /// <summary>Where a child's output goes: a file, or (null) the call's output as the standard stream the file is.</summary>
    private static (OpenFile? File, int Fd) Target(OpenFile file, int defaultFd) => file is StandardFile standard ? (null, standard.Descriptor) : (file, defaultFd);

    private static Task Pump(Stream? from, OpenFile? to, int fd, OutputSink sink)
    {
        if (from is null)
        {
            return Task.CompletedTask;
        }

        to?.AddReference();
        if (to is VirtualPipe.End { Writable: true } relay)
        {
            // Python closed the pipe's read end: the child's own pipe closes too, as if it had been the reader.
            relay.Pipe.WhenReaderCloses(from.Dispose);
        }

        return Task.Run(async () =>
        {
            var buffer = new byte[16384];
            var decoder = global::System.Text.Encoding.UTF8.GetDecoder();
            var chars = new char[global::System.Text.Encoding.UTF8.GetMaxCharCount(buffer.Length)];
            try
            {
                int n;
                while ((n = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                {
                    if (to is null)
                    {
                        var c = decoder.GetChars(buffer, 0, n, chars, 0);
                        sink.Write(fd, chars.AsSpan(0, c));
                    }
                    else if (to is VirtualPipe.End { Writable: true } end)
                    {
                        // The pump waits for room whatever Python set on the descriptors (O_NONBLOCK is theirs, not the child's).
                        end.Pipe.Send(buffer.AsSpan(0, n), blocking: true, CancellationToken.None);
                    }
                    else
                    {
                        to.Write(buffer.AsSpan(0, n));
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or PythonIOException or OperationCanceledException)
            {
                // The reader went away (closed pipe) or the child was killed: nothing more to copy.
            }
            finally
            {
                to?.Release();
            }
        });
    }

    private static void FeedInput(OpenFile from, Stream to, CancellationTokenSource exited)
    {
        var buffer = new byte[16384];
        var token = exited.Token;
        try
        {
            int n;
            while ((n = from is VirtualPipe.End { Readable: true } end ? end.Pipe.Receive(buffer, blocking: true, token) : from.Read(buffer, token)) > 0)
            {
                to.Write(buffer, 0, n);
                to.Flush();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or PythonIOException or OperationCanceledException)
        {
            // The child closed its input, or exited.
        }
        finally
        {
            from.Release();
            to.Dispose();
            exited.Dispose();
        }
    }

    /// <summary><c>os.waitpid</c>: returns (pid, wait status), or (0, 0) with <paramref name="noHang"/> when nothing has exited.</summary>
    public unsafe (int Pid, int Status) Wait(int pid, bool noHang)
    {
        Child? child;
        int chosen;
        lock (_gate)
        {
            if (pid > 0)
            {
                if (!_children.TryGetValue(pid, out child!))
                {
                    throw new PythonIOException(Errno.ECHILD, "No child processes");
                }

                chosen = pid;
            }
            else
            {
                if (_children.Count == 0)
                {
                    throw new PythonIOException(Errno.ECHILD, "No child processes");
                }

                var exited = _children.FirstOrDefault(c => c.Value.Exited);
                if (exited.Value is null && noHang)
                {
                    return (0, 0);
                }

                var pick = exited.Value is null ? _children.First() : exited;
                chosen = pick.Key;
                child = pick.Value;
            }
        }

        if (noHang && !child.Exited)
        {
            return (0, 0);
        }

        // A signal interrupting the wait runs its handler; the wait goes on (PEP 475).
        var code = SignalWait.WithoutGil(TimeProvider.System, null, (_, token) =>
        {
            var exitCode = child.Process.WaitForExitAsync(token).GetAwaiter().GetResult();
            child.PumpsDoneAtWait.WaitAsync(token).GetAwaiter().GetResult();
            return exitCode;
        });

        lock (_gate)
        {
            _children.Remove(chosen);
        }

        _ = child.Pumps.ContinueWith(_ => child.Process.Dispose(), TaskScheduler.Default);
        if (code < 0 && child.Signal is { } signal)
        {
            code = -signal; // killed on request: report the signal Python sent, not how the provider delivered it
        }

        return (chosen, EncodeStatus(code));
    }

    /// <summary>POSIX wait status: exit code in bits 8-15, or the signal number for a killed child.</summary>
    public static int EncodeStatus(int exitCode) => exitCode < 0 ? -exitCode & 0x7F : (exitCode & 0xFF) << 8;

    /// <summary>Whether <paramref name="pid"/> is one of this runtime's child processes (waited for or not).</summary>
    public bool Contains(long pid)
    {
        lock (_gate)
        {
            return pid is > 0 and <= int.MaxValue && _children.ContainsKey((int)pid);
        }
    }

    public void Signal(int pid, int signal)
    {
        Child? child;
        lock (_gate)
        {
            _children.TryGetValue(pid, out child);
        }

        if (child is null)
        {
            // Only the runtime's own children exist from Python's point of view.
            throw new PythonIOException(Errno.ESRCH, "No such process");
        }

        switch (signal)
        {
            case 0:
                return;
            case 9 or 15 or 2 or 1:
                if (signal != 9)
                {
                    PosixLog.IgnoredSignal(backend.Compatibility, signal, pid);
                }

                child.Signal ??= signal;
                child.Process.Kill();
                return;
            default:
                throw new UnsupportedOperationException($"sending signal {signal} is not supported by the managed backend (only SIGTERM, SIGKILL, SIGINT and SIGHUP, which kill the child)");
        }
    }

    /// <summary>The host directory of the runtime's working directory, where a child starts; null when its provider has none.</summary>
    public string? HostWorkingDirectory()
    {
        var (fs, inner, _) = backend.FileSystem.Route(backend.WorkingDirectory);
        return fs.GetHostPath(inner);
    }

    /// <summary><c>os.system</c>: <c>/bin/sh -c command</c> through the provider, in the runtime's working directory, output to the runtime's streams.</summary>
    public int System(string command)
    {
        var pid = Start(["/bin/sh", "-c", command], HostWorkingDirectory(), Snapshot(), new Stdio(null, null, null, false));
        return Wait(pid, noHang: false).Status;
    }

    public Dictionary<string, string> Snapshot()
    {
        lock (backend.Environment)
        {
            return new Dictionary<string, string>(backend.Environment, StringComparer.Ordinal);
        }
    }

    public void KillAll()
    {
        lock (_gate)
        {
            foreach (var child in _children.Values)
            {
                try
                {
                    child.Process.Kill();
                    child.Process.Dispose();
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or global::System.ComponentModel.Win32Exception)
                {
                    // Already gone.
                }
            }

            _children.Clear();
        }
    }

    private sealed class Child(IPythonProcess process, Task pumps, Task pumpsDoneAtWait, Task exit)
    {
        public IPythonProcess Process => process;

        /// <summary>Gets a value indicating whether the process has exited (its exit was observed).</summary>
        public bool Exited => process.ExitCode.HasValue || exit.IsCompleted;

        /// <summary>Gets all output copying.</summary>
        public Task Pumps => pumps;

        /// <summary>Gets the output copying that a wait completes (to the runtime's streams and to files).</summary>
        public Task PumpsDoneAtWait => pumpsDoneAtWait;

        /// <summary>Gets or sets the signal Python sent to end the process, if any.</summary>
        public int? Signal { get; set; }
    }
}
