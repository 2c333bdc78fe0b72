using System.Text.RegularExpressions;

namespace PyHosting.Compatibility;

/// <summary>How a remaining difference from CPython is judged.</summary>
public enum Classification
{
    /// <summary>The Managed backend emulates or refuses this on purpose (the design's §5); it stays.</summary>
    EmulatedByDesign,

    /// <summary>The backend could serve this but does not yet.</summary>
    NotYetSupported,

    /// <summary>The backend serves this, wrongly.</summary>
    Bug,

    /// <summary>The runner's set-up, not the backend (e.g. the read-only Python home, tests that need a TTY).</summary>
    Environment,
}

/// <summary>One test that passes on CPython and not on the Managed backend: what happened to it there.</summary>
/// <param name="Module">The test module.</param>
/// <param name="Id">The test id, or a description when the tests are only counted (skips, tests not run).</param>
/// <param name="Outcome"><c>failed</c>, <c>errored</c>, <c>fixture</c>, <c>skipped</c>, <c>not run</c> or <c>running</c>.</param>
/// <param name="Detail">The last line of the traceback, the skip reason, or why tests did not run.</param>
/// <param name="Count">How many tests this stands for.</param>
public sealed record LostTest(string Module, string Id, string Outcome, string Detail, int Count);

/// <summary>A cause of lost tests, recognised from the module, test id and detail.</summary>
/// <param name="Name">A short name.</param>
/// <param name="Classification">How it is judged.</param>
/// <param name="Pattern">Matched against <c>module | id | outcome | detail</c>.</param>
public sealed record Cause(string Name, Classification Classification, Regex Pattern);

/// <summary>The known causes, most specific first. docs/compatibility.md explains each.</summary>
public static class Causes
{
    private const RegexOptions Options = RegexOptions.Compiled | RegexOptions.CultureInvariant;

    /// <summary>Gets the causes in matching order.</summary>
    public static IReadOnlyList<Cause> All { get; } =
    [
        // Time limits and crashes first: the tests they stand for were never reached.
        new("time limit: non-blocking pipe write blocks (O_NONBLOCK ignored)", Classification.NotYetSupported, new(@"killed at the time limit while running .*test_nonblock_pipe_write", Options)),
        new("time limit: signals never delivered (KeyboardInterrupt awaited)", Classification.EmulatedByDesign, new(@"killed at the time limit while running .*(interrupt|signal|sigint)", Options)),
        new("crash: a subinterpreter (_testcapi.run_in_subinterp) ends the process", Classification.Bug, new(@"the process ended while running .*Subinterp", Options)),
        new("crash: a child's SIGUSR1 to its parent ends the host", Classification.Bug, new(@"the process ended while running .*test_communicate_eintr", Options)),
        new("time limit: socketserver thread stopped by select() EBADF, its client waits (test_logging)", Classification.NotYetSupported, new(@"killed at the time limit while running test\.test_logging\.", Options)),
        new("time limit: other hang", Classification.NotYetSupported, new(@"killed at the time limit", Options)),

        // Event loops and sockets.
        new("descriptor passing (SCM_RIGHTS) over sockets refused", Classification.EmulatedByDesign, new(@"SCM_RIGHTS|carry no ancillary data|^test_socket\|.*SCMRights.*testFDPass", Options)),
        new("signal.set_wakeup_fd unsupported", Classification.NotYetSupported, new(@"signal\.set_wakeup_fd is not supported", Options)),
        new("the runtime's descriptor table holds 1024 descriptors (tests above FD_SETSIZE skip)", Classification.EmulatedByDesign, new(@"^test_selectors\|.*FD limit reached", Options)),
        new("os.pidfd_open absent", Classification.EmulatedByDesign, new(@"does not support pidfds|^test_signal\|.*test_pidfd_send_signal", Options)),
        new("host sockets: only AF_INET, AF_INET6 and AF_UNIX stream, datagram and sequenced-packet sockets; abstract and non-UTF-8 AF_UNIX names refused", Classification.EmulatedByDesign, new(@"^test_socket\|.*(IPPROTO_SCTP|SocketCan required|RDS sockets required|AF_ALG required|QIPCRTR|VSOCK sockets required|CAN ISOTP|CAN J1939|TIPC module|Bluetooth sockets|abstract AF_UNIX|AF_UNIX path is not valid UTF-8)", Options)),

        // Processes, signals and process-wide state.
        new("os.fork / os.spawn* absent", Classification.EmulatedByDesign, new(@"has no attribute '(fork|spawn\w*)'|os\.fork|requires os\.spawn|os\.spawn\w* not available|doesn't support fork", Options)),
        new("signals emulated per call only: CPU-time timers (ITIMER_VIRTUAL/PROF), interrupt_main from another thread, signals to other threads unsupported", Classification.EmulatedByDesign, new(@"interrupt_main|KeyboardInterrupt not raised|signal\.setitimer\(ITIMER_(VIRTUAL|PROF)\) is not supported|signal\.pthread_kill is supported by the managed backend only|signal\.(alarm|setitimer) is not supported", Options)),
        new("a handler set to SIG_DFL ends the call (SystemExit) instead of the process", Classification.EmulatedByDesign, new(@"arrived with its default action \(SIG_DFL\)", Options)),
        new("os.kill reaches only the runtime's children (a test signalling itself)", Classification.EmulatedByDesign, new(@"ProcessLookupError: \[Errno 3\] No such process", Options)),
        new("sys.stdin is an empty StringIO without .buffer", Classification.Bug, new(@"'_io\.StringIO' object has no attribute 'buffer'", Options)),
        new("driver aborted by a RecursionError escaping the module's tests (not narrowed down)", Classification.Bug, new(@"RecursionError: maximum recursion depth exceeded while calling a Python object", Options)),
        new("the runtime is one unprivileged user (root-only tests skip); priority and clock changes refused", Classification.EmulatedByDesign, new(@"os\.set(e?[ug]id|re[ug]id|priority) is not supported|clock_settime is not supported|^test_time\|.*Operation not permitted|root privilege and more than one user|No identified group name", Options)),
        new("sys.settrace / sys.setprofile with a function denied (a tracer would run out of the interrupter's reach)", Classification.EmulatedByDesign, new(@"sys\.set(trace|profile) denied|^test_doctest\|.*test_pdb_set_trace", Options)),
        new("faulthandler absent", Classification.EmulatedByDesign, new(@"'faulthandler' is not available", Options)),
        new("subinterpreters refused (_testcapi.run_in_subinterp)", Classification.EmulatedByDesign, new(@"subinterpreters are not supported by the managed backend", Options)),
        new("pwd, grp, fcntl absent", Classification.EmulatedByDesign, new(@"\bpwd\b|\bgrp\b|need fcntl|must be named ""root""", Options)),
        new("pseudo-terminals absent (os.openpty)", Classification.EmulatedByDesign, new(@"os\.openpty", Options)),
        new("a closed pipe end does not reach the child (EPIPE)", Classification.NotYetSupported, new(@"test_broken_pipe_error", Options)),
        new("preexec_fn, user, group refused", Classification.EmulatedByDesign, new(@"preexec_fn is not supported|with user, group or extra_groups", Options)),
        new("pass_fds, close_fds, start_new_session, process_group, umask of children ignored", Classification.NotYetSupported, new(@"^test_subprocess\|.*(test_close_fds \||test_pass_fds|test_process_group_0|test_start_new_session|test_umask|test_swap_std_fds)", Options)),
        new("children inherit the .NET host's signal dispositions (SIGPIPE ignored, SIGINT)", Classification.NotYetSupported, new(@"test_restore_signals|test_send_signal \|", Options)),
        new("a child killed by a signal reports 128+n, not -n (its status was not read before .NET reaped it)", Classification.Bug, new(@"130 != -2|-134 != <Signals", Options)),
        new("PYTHON* variables never reach a child (PYTHONWARNINGS, PYTHONPATH, PYTHONASYNCIODEBUG of a Python the test starts)", Classification.EmulatedByDesign, new(@"^test_warnings\|.*EnvironmentVariableTests\.|^test_asyncio\.\w+\|.*test_env_var_debug|^test_compileall\|.*test_no_args_|^test_os\|.*test_putenv_unsetenv\b", Options)),
        new("one read-write file as a child's stdin and stdout: not seekable", Classification.NotYetSupported, new(@"single_inout_fd", Options)),
        new("child start errors: message differs (cwd)", Classification.Bug, new(@"test_exception_cwd|test_file_not_found_with_bad_cwd", Options)),
        new("bytecode: never written, not loaded from outside the Python home", Classification.EmulatedByDesign, new(@"writing bytecode|dont_write_bytecode|bytecode outside the Python home|unmarshalling data that is not|marshal\.load denied|^test_compileall\|.*HardlinkDedup\w*\.test_import", Options)),

        // Files.
        new("os.link unsupported", Classification.NotYetSupported, new(@"os\.link is not supported", Options)),
        new("os.chown unsupported (as root, tarfile then skips utime and chmod)", Classification.NotYetSupported, new(@"could not change owner|os\.chown is not supported|^test_tarfile\|.*(1041808783|493 != 448)", Options)),
        new("os.mkfifo unsupported; sockets and FIFOs not reported by stat", Classification.NotYetSupported, new(@"os\.mkfifo is not supported|test_is_socket_true|test_socket \|", Options)),
        new("os.statvfs unsupported", Classification.NotYetSupported, new(@"os\.statvfs is not supported", Options)),
        new("dir_fd / fd / follow_symlinks variants unsupported (no os.fwalk)", Classification.NotYetSupported, new(@"os\.fwalk|dir_fd|fd support for|follow_symlinks support for", Options)),
        new("extended attributes unsupported (by design: ENOTSUP)", Classification.EmulatedByDesign, new(@"extended attribute", Options)),
        new("unsupported descriptor functions raise without errno (EBADF expected)", Classification.NotYetSupported, new(@"^test_os\|.*TestInvalidFD\..* None != 9", Options)),
        new("truncate moves the file position", Classification.Bug, new(@"test_truncate|testTruncate", Options)),
        new("FileIO read/write/seek sequence returns wrong positions", Classification.Bug, new(@"test_(raw|buffered)_file_io|test_large_file_ops", Options)),
        new("no ResourceWarning for unclosed files and scandir iterators", Classification.Bug, new(@"ResourceWarning", Options)),
        new("undecodable and non-ASCII file names (surrogateescape) not round-tripped", Classification.Bug, new(@"Pep383Tests|tmpæ|test_oserror_filename|test_undecodable_env", Options)),
        new("the backend's own FileIO / DirEntry types differ from io.FileIO / posix.DirEntry (type, name, descriptor ownership)", Classification.Bug, new(@"posix\.DirEntry|test_open_common|testRepr|has no attribute 'name'|testUnclosedFDOnException", Options)),
        new("replaced built-in functions are methods of an int (pickling by reference, introspection)", Classification.Bug, new(@"'int' object has no attribute 'open'|method fork_exec of int object|test_getfullargspec_builtin_methods|test_autospec_on_bound_builtin_function", Options)),
        new("shutil on symbolic links: stat(follow_symlinks=False) path returns None", Classification.Bug, new(@"'NoneType' object has no attribute 'st_mode'", Options)),
        new("argument checks and error types differ from CPython's", Classification.Bug, new(@"not raised|does not match|testInvalidFd_overflow|testWarnings|test_bytes_like|8192 != 4096|25 != 9|Input/output error|fd: integer out of range", Options)),

        // The runner's environment.
        new("read-only Python home", Classification.Environment, new(@"Read-only file system: '/usr/lib/python3|requires write access to the installed location", Options)),
        new("numpy not registered in the runner's runtime", Classification.Environment, new(@"(?i)needs numpy", Options)),
    ];

    /// <summary>Gets the cause of a lost test, or <see langword="null"/> when none is known.</summary>
    public static Cause? Of(LostTest test)
    {
        var text = $"{test.Module}|{test.Id} | {test.Outcome} | {test.Detail}";
        return All.FirstOrDefault(c => c.Pattern.IsMatch(text));
    }

    /// <summary>Gets the tests that pass on CPython and not on the Managed backend: failing or erroring tests by id
    /// (those that also fail on CPython excepted), and, as counts, the extra skips per reason and the tests that did not run.</summary>
    public static IEnumerable<LostTest> Lost(ModuleResult cpython, ModuleResult managed)
    {
        // Tests that fail or are skipped on CPython are not lost (e.g. skipped there as root, run and failing here).
        var failingOnCPython = cpython.Problems.Select(static p => p.Id).Concat(cpython.SkippedIds).ToHashSet();
        foreach (var problem in managed.Problems.Where(p => !failingOnCPython.Contains(p.Id) && p.Outcome is not ("running" or "import" or "aborted")))
        {
            yield return new LostTest(managed.Module, problem.Id, problem.Outcome, problem.Detail, problem.Outcome == "fixture" ? 0 : 1);
        }

        foreach (var (reason, count) in managed.Skips)
        {
            var extra = count - cpython.Skips.GetValueOrDefault(reason);
            if (extra > 0)
            {
                yield return new LostTest(managed.Module, "(skips)", "skipped", reason, extra);
            }
        }

        var notRun = cpython.Run - managed.Run;
        if (notRun > 0)
        {
            var why = managed.Status switch
            {
                "timeout" => $"not reached: killed at the time limit while running {managed.Problems.FirstOrDefault(static p => p.Outcome == "running")?.Id ?? "?"}",
                "crashed" => $"not reached: the process ended while running {managed.Problems.FirstOrDefault(static p => p.Outcome == "running")?.Id ?? "?"} ({managed.Detail})",
                "import error" or "aborted" => $"{managed.Status}: {managed.Problems.FirstOrDefault()?.Detail}",
                _ when managed.FixtureErrors > 0 => $"fixture error: {managed.Problems.First(static p => p.Outcome == "fixture").Detail}",
                _ => "tests not defined in this runtime",
            };
            yield return new LostTest(managed.Module, "(not run)", "not run", why, notRun);
        }
    }
}
