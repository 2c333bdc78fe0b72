namespace PyHosting.Hosting.Internal;

/// <summary>
/// The clock of the Python runtime: the application's <see cref="TimeProvider"/> from DI (registered as
/// <see cref="TimeProvider.System"/> when the application has none), unless <c>WithTimeProvider</c> gave the
/// runtime a clock of its own, which then changes Python's clock and nothing else.
/// </summary>
/// <param name="TimeProvider">The clock.</param>
internal sealed record PythonClock(TimeProvider TimeProvider);
