using System.Globalization;
using System.Text.Json;
using PyHosting.Internal.Managed.Interception;
using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.Completeness;

/// <summary>
/// "Pure" must mean that no argument names an OS object: a function that takes a pid, thread, descriptor, clock or
/// pointer answers for the host's other processes (or dereferences the number), however harmless its result looks.
/// Every callable of the pure tables, and every method of a pure type, is checked against its signature, and every
/// function that takes such an argument is called with the host's real identifiers (pid 1, the host's parent, group
/// and session, its other threads): each answers as for a process it cannot see.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class OsIdentifierTests(SandboxFixture fixture)
{
    /// <summary>Parameter names CPython gives to arguments that name OS objects.</summary>
    private static readonly string[] IdentifierParameters =
        ["pid", "pgid", "sid", "who", "tid", "thread_id", "ident", "fd", "fds", "clk_id", "clock_id", "handle", "address", "signalnum", "signum", "sig"];

    /// <summary>
    /// Pure callables without a signature CPython can report (no Argument Clinic text signature), reviewed one by one:
    /// none takes an OS identifier. A new one fails the test until it is read and added here.
    /// </summary>
    private static readonly HashSet<string> ReviewedWithoutSignature = new(StringComparer.Ordinal)
    {
        // Codecs, parsers, formatters, digests and arithmetic on values; mode bits (_stat); the interpreter's own hooks,
        // callbacks and counters (atexit, sys, gc, _warnings, _thread); the calling thread's and process's own clocks (time).
        "_codecs_cn.getcodec",
        "_codecs_hk.getcodec",
        "_codecs_iso2022.getcodec",
        "_codecs_jp.getcodec",
        "_codecs_kr.getcodec",
        "_codecs_tw.getcodec",
        "_csv.field_size_limit", "_csv.reader", "_csv.register_dialect", "_csv.writer",
        "_elementtree.SubElement",
        "_functools.cmp_to_key", "_functools.reduce",

        // _socket without HostSockets: byte order, address text, the default timeout, ancillary-data sizes.
        "_socket.CMSG_LEN", "_socket.CMSG_SPACE", "_socket.getdefaulttimeout", "_socket.htonl", "_socket.htons",
        "_socket.inet_aton", "_socket.inet_ntoa", "_socket.inet_ntop", "_socket.inet_pton", "_socket.ntohl", "_socket.ntohs",
        "_socket.setdefaulttimeout",
        "_json.encode_basestring", "_json.encode_basestring_ascii", "_json.scanstring",
        "_sqlite3.adapt", // adapts a Python value through the registered adapters
        "_stat.S_IFMT", "_stat.S_IMODE", "_stat.S_ISBLK", "_stat.S_ISCHR", "_stat.S_ISDIR", "_stat.S_ISDOOR",
        "_stat.S_ISFIFO", "_stat.S_ISLNK", "_stat.S_ISPORT", "_stat.S_ISREG", "_stat.S_ISSOCK", "_stat.S_ISWHT",
        "_stat.filemode",
        "_string.formatter_field_name_split", "_string.formatter_parser",
        "_struct.pack", "_struct.pack_into",
        "_thread._count", "_thread._excepthook", "_thread._set_sentinel", "_thread.allocate",
        "_thread.allocate_lock", "_thread.get_ident", "_thread.get_native_id", "_thread.stack_size",
        "_warnings._filters_mutated", "_warnings.warn_explicit",
        "atexit._clear", "atexit._ncallbacks", "atexit._run_exitfuncs", "atexit.register", "atexit.unregister",
        "binascii.b2a_hex", "binascii.hexlify",
        "builtins.__build_class__", "builtins.anext", "builtins.breakpoint", "builtins.dir", "builtins.getattr",
        "builtins.iter", "builtins.max", "builtins.min", "builtins.next", "builtins.vars",
        "cmath.log",
        "gc.set_threshold",
        "math.hypot", "math.log",
        "posix.register_at_fork",
        "pyexpat.ParserCreate",
        "sys.__breakpointhook__", "sys.audit", "sys.breakpointhook", "sys.getsizeof", "sys.set_asyncgen_hooks",
        "time.get_clock_info", "time.mktime", "time.process_time", "time.process_time_ns", "time.strptime",
        "time.thread_time", "time.thread_time_ns",
        "unicodedata.decimal", "unicodedata.digit", "unicodedata.name", "unicodedata.numeric",
    };

    /// <summary>
    /// Pure callables whose matching parameter is not an OS identifier: reviewed names, each with the reason.
    /// </summary>
    private static readonly Dictionary<string, string> ReviewedIdentifierLookalikes = new(StringComparer.Ordinal)
    {
        ["_signal.default_int_handler"] = "raises KeyboardInterrupt; the signal number is only reported",
        ["_signal.strsignal"] = "describes a signal number; no process is named",
    };

    /// <summary>The functions that take an OS identifier, as calls with the identifier as <c>{0}</c>, and the errno they must answer.</summary>
    public static readonly TheoryData<string, int> IdentifierCalls = new()
    {
        { "os.getpgid({0})", 3 },
        { "os.getsid({0})", 3 },
        { "os.sched_getaffinity({0})", 3 },
        { "os.sched_getscheduler({0})", 3 },
        { "os.sched_getparam({0})", 3 },
        { "os.sched_rr_get_interval({0})", 3 },
        { "os.getpriority(os.PRIO_PROCESS, {0})", 3 },
        { "os.getpriority(os.PRIO_PGRP, {0})", 3 },
        { "os.kill({0}, 0)", 3 },
        { "time.clock_gettime((~{0} << 3) | 2)", 22 },
        { "time.clock_gettime_ns((~{0} << 3) | 2)", 22 },
        { "time.clock_getres((~{0} << 3) | 2)", 22 },
        { "time.clock_gettime((~{0} << 3) | 6)", 22 },
        { "time.clock_gettime_ns((~{0} << 3) | 6)", 22 },
    };

    public static TheoryData<string> HostIdentifiers => new(HostProcess.Identifiers().Keys.Order(StringComparer.Ordinal));

    [Fact]
    public async Task PureCallables_TakeNoArgumentThatNamesAnOsObject()
    {
        var pure = ModuleClassification.PureCallables.SelectMany(p => p.Value.Select(n => p.Key + "." + n))
            .Concat(ModuleClassification.PureModules.Select(m => m + ".*"))
            .ToList();
        await fixture.Runtime.ExecuteAsync($$"""
            import inspect, json, sys
            _ids_rows = []
            for _q in {{JsonSerializer.Serialize(pure)}}:
                _m, _n = _q.rsplit('.', 1)
                try:
                    _mod = sys.modules.get(_m) or __import__(_m)
                except ImportError:
                    continue
                for _name in (sorted(dir(_mod)) if _n == '*' else [_n]):
                    _f = getattr(_mod, _name, None)
                    if _f is None or not callable(_f) or isinstance(_f, type):
                        continue
                    try:
                        _ps = list(inspect.signature(_f).parameters)
                    except (TypeError, ValueError):
                        _ps = None
                    _ids_rows.append([_m + '.' + _name, _ps])
            _ids_json = json.dumps(_ids_rows)
            """);
        var rows = JsonSerializer.Deserialize<JsonElement[][]>((await fixture.Runtime.EvaluateAsync<string>("_ids_json"))!)!;
        Assert.NotEmpty(rows);

        var withoutSignature = rows.Where(r => r[1].ValueKind == JsonValueKind.Null).Select(r => r[0].GetString()!).ToList();
        var identifiers = rows
            .Where(r => r[1].ValueKind == JsonValueKind.Array)
            .Select(r => (Name: r[0].GetString()!, Matches: r[1].EnumerateArray().Select(p => p.GetString()!).Where(IsIdentifierParameter).ToList()))
            .Where(r => r.Matches.Count > 0 && !ReviewedIdentifierLookalikes.ContainsKey(r.Name))
            .Select(r => $"{r.Name}({string.Join(", ", r.Matches)})")
            .ToList();

        Assert.True(identifiers.Count == 0, "Pure callables taking OS identifiers:\n" + string.Join("\n", identifiers));
        var unreviewed = withoutSignature.Where(n => !ReviewedWithoutSignature.Contains(n)).Order(StringComparer.Ordinal).ToList();
        Assert.True(unreviewed.Count == 0, "Pure callables without a signature, not reviewed:\n" + string.Join("\n", unreviewed));
    }

    [Fact]
    public async Task MethodsOfPureTypes_TakeNoArgumentThatNamesAnOsObject()
    {
        var pure = TypeClassification.Pure.SelectMany(p => p.Value.Select(n => p.Key + "." + n)).ToList();
        await fixture.Runtime.ExecuteAsync($$"""
            import inspect, json
            _ids_pure = set({{JsonSerializer.Serialize(pure)}})
            _ids_seen, _ids_todo, _ids_rows = {object}, [object], []
            while _ids_todo:
                for _s in type.__subclasses__(_ids_todo.pop()):
                    if _s not in _ids_seen:
                        _ids_seen.add(_s)
                        _ids_todo.append(_s)
            for _t in _ids_seen:
                _q = str(getattr(_t, '__module__', '')) + '.' + _t.__qualname__
                if _q not in _ids_pure:
                    continue
                for _k, _v in vars(_t).items():
                    if callable(_v) or isinstance(_v, (classmethod, staticmethod)):
                        try:
                            _ps = list(inspect.signature(getattr(_t, _k)).parameters)
                        except (TypeError, ValueError, AttributeError):
                            continue
                        _ids_rows.append([_q + '.' + _k, _ps])
            _ids_json = json.dumps(_ids_rows)
            """);
        var rows = JsonSerializer.Deserialize<JsonElement[][]>((await fixture.Runtime.EvaluateAsync<string>("_ids_json"))!)!;
        Assert.NotEmpty(rows);

        var identifiers = rows
            .Select(r => (Name: r[0].GetString()!, Matches: r[1].EnumerateArray().Select(p => p.GetString()!).Where(IsIdentifierParameter).ToList()))
            .Where(r => r.Matches.Count > 0 && !ReviewedIdentifierLookalikes.ContainsKey(r.Name))
            .Select(r => $"{r.Name}({string.Join(", ", r.Matches)})")
            .ToList();
        Assert.True(identifiers.Count == 0, "Methods of pure types taking OS identifiers:\n" + string.Join("\n", identifiers));
    }

    [Fact]
    public void IdentifierFunctions_AreNotPure()
    {
        var names = IdentifierCalls.Select(row => ((string)row[0]).Split('(')[0]).ToHashSet(StringComparer.Ordinal);

        Assert.All(names, n => Assert.False(
            ModuleClassification.PureCallables.TryGetValue(n.StartsWith("os.", StringComparison.Ordinal) ? "posix" : n.Split('.')[0], out var pure) && pure.Contains(n.Split('.')[1]),
            $"{n} is classified pure"));
    }

    [Theory]
    [MemberData(nameof(HostIdentifiers))]
    public async Task IdentifierFunctions_WithAHostIdentifier_AnswerAsForAnInvisibleProcess(string which)
    {
        var id = HostProcess.Identifiers()[which];
        var failures = new List<string>();
        foreach (var row in IdentifierCalls)
        {
            var call = string.Format(CultureInfo.InvariantCulture, (string)row[0], id);
            var answer = await AnswerAsync(call);
            if (answer != $"OSError {row[1]}")
            {
                failures.Add($"{call} ({which}): {answer}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task OwnIdentifiers_StillAnswer_ConsistentWithTheEmulatedParent()
    {
        var answers = await fixture.Runtime.EvaluateAsync<string>("""
            (lambda os, time, threading: repr([
                os.getppid(), os.getpgrp() == os.getpgid(0) == os.getpgid(os.getpid()) == os.getsid(0) == os.getpid(),
                bool(os.sched_getaffinity(0)), os.sched_getaffinity(os.getpid()) == os.sched_getaffinity(0),
                os.getpriority(os.PRIO_PROCESS, 0) == os.getpriority(os.PRIO_PGRP, os.getpgrp()) == os.getpriority(os.PRIO_USER, os.getuid()),
                time.clock_gettime(time.pthread_getcpuclockid(threading.get_ident())) >= 0,
                time.clock_gettime(time.CLOCK_PROCESS_CPUTIME_ID) > 0, time.clock_getres(time.CLOCK_THREAD_CPUTIME_ID) > 0,
                0 <= os.times().elapsed <= time.monotonic()]))(
                __import__('os'), __import__('time'), __import__('threading'))
            """);

        // os.times().elapsed is on the runtime's monotonic clock, not the host's time since boot.
        Assert.Equal("[1, True, True, True, True, True, True, True, True]", answers);
    }

    private async Task<string?> AnswerAsync(string call)
    {
        await fixture.Runtime.ExecuteAsync($"""
            import os, time
            try:
                _ids_answer = 'answered ' + repr({call})
            except OSError as _e:
                _ids_answer = 'OSError %d' % _e.errno
            except Exception as _e:
                _ids_answer = '%s: %s' % (type(_e).__name__, _e)
            """);
        return await fixture.Runtime.EvaluateAsync<string>("_ids_answer");
    }

    private static bool IsIdentifierParameter(string parameter) => IdentifierParameters.Contains(parameter, StringComparer.Ordinal);
}
