using System.Reflection;
using Microsoft.Extensions.Logging;
using PyHosting.Hosting.Diagnostics;

namespace PyHosting.Hosting.Tests.Diagnostics;

public sealed class EventIdTests
{
    public static TheoryData<string, int, int> Ranges => new()
    {
        // The runtime's own log 1-99 and the PyHosting.Compatibility category 100-199; Hosting 300-399.
        { typeof(PythonRuntimeOptions).Assembly.GetName().Name!, 1, 199 },
        { typeof(PythonRuntimeMetrics).Assembly.GetName().Name!, 300, 399 },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void LoggerMessages_StayInTheirAssemblysRange_EachIdOnce(string assemblyName, int first, int last)
    {
        var ids = LoggerMessages(Assembly.Load(assemblyName)).Select(static m => m.EventId).ToList();

        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.InRange(id, first, last));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    private static IEnumerable<LoggerMessageAttribute> LoggerMessages(Assembly assembly) => assembly.GetTypes()
        .SelectMany(static t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
        .Select(static m => m.GetCustomAttribute<LoggerMessageAttribute>())
        .OfType<LoggerMessageAttribute>();
}
