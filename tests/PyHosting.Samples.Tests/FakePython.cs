using System.Collections.Concurrent;
using Moq;

namespace PyHosting.Samples.Tests;

/// <summary>An <see cref="IPythonRuntime"/> without Python: records calls and lets each test decide what they do.</summary>
internal sealed class FakePython
{
    private readonly ConcurrentQueue<string> _calls = new();

    public FakePython()
    {
        Mock.Setup(static r => r.RedirectOutput(It.IsAny<TextWriter>(), It.IsAny<TextWriter?>()))
            .Callback<TextWriter, TextWriter?>((stdout, stderr) => (Stdout, Stderr) = (stdout, stderr))
            .Returns(Moq.Mock.Of<IDisposable>());
        Mock.Setup(static r => r.RunFileAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns<string, CancellationToken>((path, token) =>
            {
                _calls.Enqueue(path);
                return OnRunFile(path, token);
            });
        Mock.Setup(static r => r.InvokeAsync<object>(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<object?[]>(), It.IsAny<CancellationToken>()))
            .Returns<string, string, object?[], CancellationToken>((module, function, args, token) =>
            {
                _calls.Enqueue($"{module}.{function}");
                LastArguments = args;
                return OnInvoke(module, function, args, token);
            });
    }

    public Mock<IPythonRuntime> Mock { get; } = new();

    public IPythonRuntime Object => Mock.Object;

    /// <summary>Gets or sets what <see cref="IPythonRuntime.RunFileAsync"/> does; it completes at once by default.</summary>
    public Func<string, CancellationToken, Task> OnRunFile { get; set; } = static (_, _) => Task.CompletedTask;

    /// <summary>Gets or sets what <see cref="IPythonRuntime.InvokeAsync{T}(string, string, object?[], CancellationToken)"/> does; it returns <see langword="null"/> by default.</summary>
    public Func<string, string, object?[], CancellationToken, Task<object?>> OnInvoke { get; set; } = static (_, _, _, _) => Task.FromResult<object?>(null);

    public TextWriter? Stdout { get; private set; }

    public TextWriter? Stderr { get; private set; }

    public object?[]? LastArguments { get; private set; }

    public int Calls(string target) => _calls.Count(c => c == target);

    public IReadOnlyList<string> AllCalls => [.. _calls];
}
