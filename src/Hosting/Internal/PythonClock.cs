namespace PyHosting.Hosting.Internal;

/// <summary>
/// The clock of the Python runtime. Kept apart from any <see cref="TimeProvider"/> the application
/// registers, so that <c>WithTimeProvider</c> changes Python's clock and nothing else.
/// </summary>
/// <param name="TimeProvider">The clock.</param>
internal sealed record PythonClock(TimeProvider TimeProvider);
