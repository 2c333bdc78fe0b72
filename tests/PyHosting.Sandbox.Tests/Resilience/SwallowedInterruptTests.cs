using PyHosting.Sandbox.Tests.Infrastructure;

namespace PyHosting.Sandbox.Tests.Resilience;

/// <summary>
/// Code that swallows its interrupt and turns off the per-frame tracing flags (<c>f_trace_lines</c>,
/// <c>f_trace_opcodes</c>, <c>f_trace</c>) of its own frame, of every frame of its stack or of the frames of a
/// traceback, or calls <c>sys.settrace(None)</c>, still ends at the timeout: generated from every loop shape crossed with every way of clearing the
/// flags, each must end in <c>TimeoutException</c> (not be abandoned as "keeps running"), and the next call works.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class SwallowedInterruptTests(SandboxFixture fixture)
{
    /// <summary>Ways to turn line and opcode events off; <c>{D}</c> in a shape is replaced by one of them.</summary>
    private static readonly Dictionary<string, string> Disablers = new(StringComparer.Ordinal)
    {
        ["own frame"] = "_f = sys._getframe(); _f.f_trace_lines = False; _f.f_trace_opcodes = False; _f.f_trace = None",
        ["every frame of the stack"] = "_f = sys._getframe()\nwhile _f is not None: _f.f_trace_lines = False; _f.f_trace_opcodes = False; _f.f_trace = None; _f = _f.f_back",
        // sys.settrace(None) and setprofile(None) are accepted (and change nothing): they must not remove the runtime's trace function.
        ["settrace(None) and setprofile(None)"] = "sys.settrace(None); sys.setprofile(None); __import__('threading').settrace(None); sys._getframe().f_trace_lines = False",
        ["traceback frames"] = "_t = sys.exc_info()[2]\nwhile _t is not None: _t.tb_frame.f_trace_lines = False; _t.tb_frame.f_trace_opcodes = False; _t.tb_frame.f_trace = None; _t = _t.tb_next\nsys._getframe().f_trace_lines = False",
    };

    /// <summary>
    /// Loop shapes that swallow <c>BaseException</c>: definitions (<c>{INNER}</c> stands for a nest of swallowing loops
    /// around the inner core) and the core that the call runs inside such a nest.
    /// </summary>
    private static readonly Dictionary<string, (string Prelude, string InnerCore, string Core)> Shapes = new(StringComparer.Ordinal)
    {
        ["busy loop"] = ("", "", "{D}\nwhile True: pass"),
        ["while loop in the handler"] = ("", "", "try:\n    {D}\n    while True: pass\nexcept BaseException:\n    {D}\n    while True:\n        {D}"),
        ["generator"] = ("def gen():\n    {INNER}", "{D}\nyield 1", "for _ in gen():\n    {D}"),
        ["__del__"] = ("class Spinner:\n    def __del__(self):\n        {INNER}", "{D}\nwhile True: pass", "{D}\n_x = Spinner()\ndel _x"),
        ["finally re-entering the loop"] = ("def spin():\n    {INNER}", "try:\n    {D}\n    while True: pass\nfinally:\n    {D}\n    spin()", "spin()"),
        ["__exit__ that suppresses"] = (
            "class Swallow:\n    def __enter__(self):\n        return self\n    def __exit__(self, *exc):\n        {D}\n        return True",
            "",
            "with Swallow():\n    {D}\n    while True: pass"),
    };

    /// <summary>How many swallowing loops are nested around a core: enough that interrupts arriving together are all swallowed.</summary>
    private const int Nesting = 4;

    public static TheoryData<string, string> Loops()
    {
        var data = new TheoryData<string, string>();
        foreach (var shape in Shapes.Keys)
        {
            foreach (var disabler in Disablers.Keys)
            {
                data.Add(shape, disabler);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Loops))]
    public async Task SwallowingLoop_ThatTurnsTracingOff_EndsAtTheTimeout(string shape, string disabler)
    {
        var (prelude, innerCore, core) = Shapes[shape];
        var code = "import sys\n" + Generate(prelude + "\n" + Nest(core), innerCore, Disablers[disabler]);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => fixture.Runtime.ExecuteAsync(code));

        Assert.DoesNotContain("keeps running", error.Message, StringComparison.Ordinal);
        Assert.Equal(45L, await fixture.Runtime.EvaluateAsync<long>("sum(range(10))"));
    }

    /// <summary>Nests <paramref name="core"/> in <see cref="Nesting"/> loops whose handlers swallow everything.</summary>
    private static string Nest(string core)
    {
        var text = core;
        for (var i = 0; i < Nesting; i++)
        {
            text = "while True:\n    try:\n" + Indent(text, 8) + "\n    except BaseException:\n        {D}";
        }

        return text;
    }

    private static string Indent(string text, int by) => string.Join('\n', text.Split('\n').Select(l => new string(' ', by) + l));

    /// <summary>Replaces each <c>{INNER}</c> line by the nested inner core and each <c>{D}</c> line by the disabling statements, at their indentation.</summary>
    private static string Generate(string text, string innerCore, string disable)
    {
        var lines = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var inner = line.IndexOf("{INNER}", StringComparison.Ordinal);
            lines.Add(inner < 0 ? line : Indent(Nest(innerCore), inner));
        }

        var result = new List<string>();
        foreach (var line in string.Join('\n', lines).Split('\n'))
        {
            var at = line.IndexOf("{D}", StringComparison.Ordinal);
            if (at < 0)
            {
                result.Add(line);
                continue;
            }

            result.AddRange(disable.Split('\n').Select(d => line[..at] + d));
        }

        return string.Join('\n', result) + "\n";
    }
}
