using System.Diagnostics;

namespace PyHosting.Sandbox.Tests.OutOfProcess;

/// <summary>
/// <c>CreateProcess=true</c> with an allow-list of harmless programs: <c>/usr/bin/env</c> (prints its environment)
/// and <c>greet.sh</c>, a bash script. A shared object that writes a marker when loaded lies on the writable mount
/// (<c>/host</c>), as a script could write it there.
/// </summary>
public sealed class ChildEnvironmentFixture : TestHostFixture
{
    public const string ExtraName = "PYH_PASSED_TO_CHILDREN";

    public string Greeter => Path.Combine(Root, "greet.sh");

    public string SharedObject => Path.Combine(Root, "preload.so");

    /// <summary>Gets the file the shared object or a shell function would create (its absence is the test).</summary>
    public string Marker => Path.Combine(Root, "marker");

    protected override IEnumerable<KeyValuePair<string, string?>> Configuration() => new Dictionary<string, string?>
    {
        ["PythonRuntime:Permissions:IO"] = "All",
        ["PythonRuntime:Permissions:CreateProcess"] = "true",
        ["PythonRuntime:Processes:AllowedExecutables:0"] = "/usr/bin/env",
        ["PythonRuntime:Processes:AllowedExecutables:1"] = Greeter,
        ["PythonRuntime:Processes:EnvironmentVariables:0"] = ExtraName,
        ["PythonRuntime:FileSystem:Mounts:0:Path"] = "/host",
        ["PythonRuntime:FileSystem:Mounts:0:HostPath"] = Root,
        ["Logging:LogLevel:PyHosting.Compatibility"] = "Debug",
    };

    protected override void Prepare()
    {
        File.WriteAllText(Greeter, "#!/bin/bash\necho greet\n");
        File.SetUnixFileMode(Greeter, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var source = Path.Combine(Root, "preload.c");
        File.WriteAllText(source, $$"""
            #include <stdio.h>
            __attribute__((constructor)) static void loaded(void)
            {
                FILE *f = fopen("{{Marker}}", "w");
                if (f) { fputs("preloaded", f); fclose(f); }
            }
            """);
        using var gcc = Process.Start(new ProcessStartInfo("gcc", ["-shared", "-fPIC", "-o", SharedObject, source]) { RedirectStandardError = true })!;
        var errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException("gcc failed: " + errors);
        }
    }
}

/// <summary>
/// Issue class 8: a child's environment is built from an allow-list of names, and variables that make a program
/// load or run other code never pass, whether the runtime's environment holds them or Python passes them explicitly.
/// </summary>
public sealed class ChildEnvironmentTests(ChildEnvironmentFixture fixture) : IClassFixture<ChildEnvironmentFixture>
{
    /// <summary>One concrete name for every denied name or prefix, with a value that would matter to the program.</summary>
    private static readonly (string Name, string Value)[] Denied =
    [
        ("LD_PRELOAD", "/host/preload.so"), ("LD_LIBRARY_PATH", "/host"), ("LD_AUDIT", "/host/preload.so"), ("LD_DEBUG", "statistics"),
        ("DYLD_INSERT_LIBRARIES", "/host/preload.so"), ("GCONV_PATH", "/host"), ("LOCPATH", "/host"), ("NLSPATH", "/host/%N"),
        ("MALLOC_CHECK_", "3"), ("MALLOC_ARENA_MAX", "1"), ("GLIBC_TUNABLES", "glibc.malloc.check=3"), ("HOSTALIASES", "/host/aliases"),
        ("RESOLV_HOST_CONF", "/host/conf"), ("RES_OPTIONS", "debug"), ("LOCALDOMAIN", "example"),
        ("BASH_FUNC_echo%%", "() { /usr/bin/id; }"), ("BASH_ENV", "/host/rc"), ("ENV", "/host/rc"), ("IFS", "/"), ("CDPATH", "/host"),
        ("PS4", "$(id)"), ("SHELLOPTS", "xtrace"), ("BASHOPTS", "extdebug"), ("GLOBIGNORE", "*"), ("PROMPT_COMMAND", "id"),
        ("PYTHONPATH", "/host"), ("PYTHONSTARTUP", "/host/start.py"), ("PYTHONHOME", "/host"), ("PERL5OPT", "-Mx"), ("PERL5LIB", "/host"),
        ("PERLLIB", "/host"), ("PERL_MB_OPT", "x"), ("RUBYOPT", "-rx"), ("RUBYLIB", "/host"), ("GEM_PATH", "/host"),
        ("NODE_OPTIONS", "--require /host/x.js"), ("NODE_PATH", "/host"), ("JAVA_TOOL_OPTIONS", "-javaagent:/host/x.jar"),
        ("_JAVA_OPTIONS", "-Dx"), ("JDK_JAVA_OPTIONS", "-Dx"), ("CLASSPATH", "/host"), ("LUA_INIT", "@/host/x.lua"), ("TCLLIBPATH", "/host"),
        ("DOTNET_STARTUP_HOOKS", "/host/x.dll"), ("CORECLR_PROFILER_PATH", "/host/x.so"), ("COMPlus_EnableDiagnostics", "1"),

        // Names the allow-list does not hold, and a shell function hidden in an allowed name.
        ("PYH_NOT_LISTED", "unlisted-value"), ("TERM", "() { :; }; /usr/bin/id"),
    ];

    public static TheoryData<string, string, bool> DeniedVariables()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var (name, value) in Denied)
        {
            data.Add(name, value, true);
            data.Add(name, value, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DeniedVariables))]
    public async Task DeniedVariable_NeverReachesTheChild(string name, string value, bool explicitEnvironment)
    {
        var code = explicitEnvironment
            ? $"__import__('subprocess').run(['/usr/bin/env'], env={{{Py(name)}: {Py(value)}, 'LANG': 'C.UTF-8'}}, capture_output=True, text=True, check=True).stdout"
            : $"(lambda os, subprocess: (os.environ.__setitem__({Py(name)}, {Py(value)}), os.environ.__setitem__('LANG', 'C.UTF-8'), subprocess.run(['/usr/bin/env'], capture_output=True, text=True, check=True).stdout, os.environ.pop({Py(name)}))[2])(__import__('os'), __import__('subprocess'))";

        var environment = (await fixture.Python.EvalAsync(code)).GetResult<string>()!.Split('\n');

        Assert.Contains("LANG=C.UTF-8", environment);
        Assert.DoesNotContain(environment, line => line.StartsWith(name + "=", StringComparison.Ordinal));
        Assert.DoesNotContain(environment, line => line.Contains(value, StringComparison.Ordinal) && value.Length > 5);
        var logs = await fixture.Python.GetLogsAsync("PyHosting.Compatibility");
        Assert.Contains(logs, entry => entry.Level == "Debug" && entry.Message.Contains($"environment variable {name} ", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, entry => entry.Message.Contains(value, StringComparison.Ordinal) && value.Length > 5);
    }

    [Fact]
    public async Task AllowedVariables_ReachTheChild()
    {
        var environment = (await fixture.Python.EvalAsync($$"""
            __import__('subprocess').run(['/usr/bin/env'], env={'PATH': '/usr/bin', 'HOME': '/h', 'LC_ALL': 'C', 'TZ': 'UTC', '{{ChildEnvironmentFixture.ExtraName}}': 'yes'}, capture_output=True, text=True).stdout
            """)).GetResult<string>()!.Split('\n');

        Assert.Equal(["HOME=/h", "LC_ALL=C", "PATH=/usr/bin", ChildEnvironmentFixture.ExtraName + "=yes", "TZ=UTC"], environment.Where(l => l.Length > 0).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PreloadedSharedObjectOnAWritableMount_IsNeverLoaded()
    {
        // The attack works when the variable reaches the program.
        Assert.Equal("preloaded", RunDirectly("/usr/bin/env", "LD_PRELOAD", fixture.SharedObject));

        var response = await fixture.Python.EvalAsync($$"""
            __import__('subprocess').run(['/usr/bin/env'], env={'LD_PRELOAD': {{Py(fixture.SharedObject)}}}, capture_output=True, text=True).returncode
            """);

        Assert.Equal(0, response.GetResult<int>());
        Assert.False(File.Exists(fixture.Marker), "the shared object was loaded into the child");
    }

    [Fact]
    public async Task ExportedShellFunction_NeverRunsInAnAllowedShellScript()
    {
        var function = $"() {{ /usr/bin/touch {fixture.Marker}; builtin echo pwned; }}";

        // The attack works when the variable reaches the script.
        Assert.Equal(string.Empty, RunDirectly(fixture.Greeter, "BASH_FUNC_echo%%", function));

        var output = (await fixture.Python.EvalAsync($$"""
            __import__('subprocess').run([{{Py(fixture.Greeter)}}], env={'BASH_FUNC_echo%%': {{Py(function)}}}, capture_output=True, text=True).stdout
            """)).GetResult<string>();

        Assert.Equal("greet\n", output);
        Assert.False(File.Exists(fixture.Marker), "the exported function ran");
    }

    [Theory]
    [InlineData("import subprocess\nsubprocess.run('echo hi', shell=True)")]
    [InlineData("import os\nos.system('echo hi')")]
    [InlineData("import os\nos.popen('echo hi').read()")]
    [InlineData("import subprocess\nsubprocess.run(['sh', '-c', 'echo hi'], env={'PATH': '/host'})")]
    public async Task Shell_IsRefused_WhenItIsNotAllowed(string code)
    {
        var response = await fixture.Python.ExecAsync(code);

        Assert.False(response.Ok, "a shell ran");
        Assert.Equal("PermissionError", response.PythonType);
        Assert.Contains("PythonRuntime:Processes:AllowedExecutables", response.PythonMessage, StringComparison.Ordinal);
        Assert.Empty(fixture.Children());
    }

    /// <summary>Runs <paramref name="program"/> from the test with one variable set, and returns what it left in the marker file (then removes it).</summary>
    private string RunDirectly(string program, string name, string value)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true };
        start.Environment.Clear();
        start.Environment[name] = value;
        using (var process = Process.Start(start)!)
        {
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
        }

        Assert.True(File.Exists(fixture.Marker), $"{name} has no effect on {program}: the test would prove nothing");
        var content = File.ReadAllText(fixture.Marker);
        File.Delete(fixture.Marker);
        return content;
    }

    private static string Py(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
