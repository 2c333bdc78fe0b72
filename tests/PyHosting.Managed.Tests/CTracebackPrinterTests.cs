using System.IO.Pipes;
using System.Text;
using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// Tracebacks printed by CPython's C code (<c>PyErr_Display</c> behind <c>sys.__excepthook__</c>, the C
/// <c>threading.excepthook</c>) read the source line through the runtime's descriptors, as Python's <c>traceback</c>
/// module does through <c>linecache</c>, and never through a host descriptor of the same number.
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class CTracebackPrinterTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task UncaughtExceptionInAThread_PrintsItsSourceLine()
    {
        var path = "/tmp/" + ManagedRuntimeFixture.Unique("thread_boom").Replace('-', '_') + ".py";
        var printed = await fixture.RunAsync<string>($$"""
            import _thread, io, sys, threading
            source = "def boom():\n    raise ValueError('from the thread')  # the line printed\n"
            with open('{{path}}', 'w') as f:
                f.write(source)
            namespace = {}
            exec(compile(source, '{{path}}', 'exec'), namespace)
            assert threading.excepthook is _thread._excepthook  # the C hook
            captured, saved = io.StringIO(), sys.stderr
            sys.stderr = captured
            try:
                t = threading.Thread(target=namespace['boom'])
                t.start()
                t.join()
            finally:
                sys.stderr = saved
            return captured.getvalue()
            """);

        Assert.Contains($"File \"{path}\", line 2, in boom", printed, StringComparison.Ordinal);
        Assert.Contains("    raise ValueError('from the thread')  # the line printed", printed, StringComparison.Ordinal);
        Assert.EndsWith("ValueError: from the thread\n", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CPrinter_AndTracebackModule_PrintTheSameTraceback()
    {
        var path = "/tmp/" + ManagedRuntimeFixture.Unique("caret").Replace('-', '_') + ".py";
        var both = await fixture.RunAsync<List<string>>($$"""
            import io, sys, traceback
            source = "def inner(x):\n    return x['key'] + 1\n\ndef outer():\n    return inner({'key': None})\n"
            with open('{{path}}', 'w') as f:
                f.write(source)
            namespace = {}
            exec(compile(source, '{{path}}', 'exec'), namespace)
            try:
                namespace['outer']()
            except TypeError:
                info = sys.exc_info()
            python = io.StringIO()
            traceback.print_exception(*info, file=python)
            c, saved = io.StringIO(), sys.stderr
            sys.stderr = c
            try:
                sys.__excepthook__(*info)
            finally:
                sys.stderr = saved
            return [python.getvalue(), c.getvalue()]
            """);

        Assert.NotNull(both);
        Assert.Contains("    return x['key'] + 1\n", both[0], StringComparison.Ordinal);
        Assert.Contains("           ~~~~~~~~~^~~\n", both[0], StringComparison.Ordinal);
        Assert.Equal(both[0], both[1]);
    }

    [Fact]
    public async Task CPrinter_GivenAHostDescriptorNumber_NeitherReadsNorRewindsIt()
    {
        // A host pipe holding data: CPython's printer duplicated the number it got from fileno(), read the copy to
        // look for a coding cookie, and seeked it; on a pipe that read consumed the data (or blocked for good).
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var hostFd = (int)pipe.ClientSafePipeHandle.DangerousGetHandle();
        pipe.Write("still here"u8);
        pipe.Flush();

        var run = fixture.RunAsync<string>($$"""
            import io, sys
            class HostNumber:
                def fileno(self):
                    return {{hostFd}}
                def close(self):
                    pass
            namespace = {}
            exec(compile("def f():\n    raise KeyError('shown without its line')\n", '/tmp/no_such_source.py', 'exec'), namespace)
            try:
                namespace['f']()
            except KeyError:
                info = sys.exc_info()
            saved_open, saved_err = io.open, sys.stderr
            io.open = lambda *args, **kwargs: HostNumber()
            sys.stderr = captured = io.StringIO()
            try:
                sys.__excepthook__(*info)
            finally:
                io.open, sys.stderr = saved_open, saved_err
            return captured.getvalue()
            """);

        var printed = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.EndsWith("KeyError: 'shown without its line'\n", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("raise KeyError", printed, StringComparison.Ordinal);
        var buffer = new byte[10];
        await reader.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("still here", Encoding.ASCII.GetString(buffer));
    }
}
