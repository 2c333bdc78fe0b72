using BenchmarkDotNet.Configs;

namespace PyHosting.Benchmarks;

/// <summary>The suite's BenchmarkDotNet configuration (jobs are set per class).</summary>
internal static class BenchmarkConfig
{
    /// <summary>
    /// The default configuration with a generous build timeout: BenchmarkDotNet builds its generated
    /// project without the shared compiler server, which takes minutes on a busy 2-core machine.
    /// </summary>
    public static IConfig Create() => ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(15));
}
