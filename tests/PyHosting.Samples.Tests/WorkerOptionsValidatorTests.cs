using Microsoft.Extensions.Configuration;
using PyHosting.Samples.WorkerService;

namespace PyHosting.Samples.Tests;

public sealed class WorkerOptionsValidatorTests
{
    public static TheoryData<string[], string> InvalidConfigurations => new()
    {
        { ["Worker:RunOnce=true"], "Worker:Jobs is empty: add a job" },
        { ["Worker:Jobs:0:Script=/app/a.py"], "Worker:Jobs:0:Name is empty" },
        { ["Worker:Jobs:0:Name=a", "Worker:Jobs:0:Script=/app/a.py", "Worker:Jobs:1:Name=A", "Worker:Jobs:1:Script=/app/b.py"], "Worker:Jobs:1:Name 'A' is also the name of Worker:Jobs:0" },
        { ["Worker:Jobs:0:Name=a"], "Worker:Jobs:0 ('a') sets neither Script nor Module and Function" },
        { ["Worker:Jobs:0:Name=a", "Worker:Jobs:0:Script=/app/a.py", "Worker:Jobs:0:Module=m"], "Worker:Jobs:0 ('a') sets both Script and Module/Function" },
        { ["Worker:Jobs:0:Name=a", "Worker:Jobs:0:Module=stats"], "Worker:Jobs:0:Module 'stats' needs Worker:Jobs:0:Function (found none)" },
        { ["Worker:Jobs:0:Name=a", "Worker:Jobs:0:Function=summarize"], "Worker:Jobs:0:Function 'summarize' needs Worker:Jobs:0:Module (found none)" },
        { ["Worker:Jobs:0:Name=a", "Worker:Jobs:0:Script=scripts/a.py"], "Worker:Jobs:0:Script 'scripts/a.py' is not an absolute path of the runtime's file system: use a mounted path such as /app/a.py" },
        { ["Worker:Jobs:0:Name=a", "Worker:Jobs:0:Script=/app/a.py", "Worker:Jobs:0:Interval=-00:00:05"], "Worker:Jobs:0:Interval '-00:00:05' must be positive" },
        { ["Worker:Script=/no/such/file.py"], "Worker:Script '/no/such/file.py' was not found (looked for '/no/such/file.py')" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigurations))]
    public void Validate_InvalidConfiguration_FailsNamingTheKeyAndTheFix(string[] settings, string expected)
    {
        var result = new WorkerOptionsValidator().Validate(null, Bind(settings));

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsThemAllAtOnce()
    {
        var result = new WorkerOptionsValidator().Validate(null, Bind(["Worker:Jobs:0:Script=relative.py", "Worker:Jobs:0:Interval=00:00:00"]));

        Assert.Equal(3, result.Failures!.Count());
    }

    [Fact]
    public void Validate_ShippedAppSettings_Succeeds_WithTheFunctionArgumentsAsPlainData()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(SampleProcess.OutputDirectory, "appsettings.json")).Build();
        var options = new WorkerOptions();
        WorkerConfiguration.Bind(configuration.GetSection(WorkerOptions.SectionName), options);

        Assert.True(new WorkerOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(["sales-report", "order-stats", "sandbox-tour", "discount-formula", "shipping-formula"], options.Jobs.Select(static j => j.Name));
        var stats = options.Jobs[1];
        Assert.Equal(("stats", "summarize", TimeSpan.FromSeconds(30)), (stats.Module, stats.Function, stats.Interval));
        Assert.Equal([new List<object?> { 12L, 15L, 11L, 19L, 24L, 13L, 17L, 42L, 16L, 14L }, "daily orders"], stats.Arguments);

        // A formula runs on the untrusted runtime, with its variables as plain data; the other jobs on the default runtime.
        var discount = options.Jobs[3];
        Assert.Equal(("formulas", "round(price * quantity * (1 - discount), 2)"), (discount.RuntimeName, discount.Formula));
        Assert.Equal(new Dictionary<string, object?> { ["price"] = 129.9, ["quantity"] = 3L, ["discount"] = 0.15 }, discount.FormulaVariables);
        Assert.Equal(string.Empty, stats.RuntimeName);
    }

    [Fact]
    public void Validate_AFormulaWithAScript_OrEmpty_IsAnError()
    {
        var result = new WorkerOptionsValidator().Validate(null, Bind(["Worker:Jobs:0:Name=a", "Worker:Jobs:0:Formula=1", "Worker:Jobs:0:Script=/app/x.py", "Worker:Jobs:1:Name=b", "Worker:Jobs:1:Formula= "]));

        Assert.Contains("Worker:Jobs:0 ('a') sets Formula and also Script or Module/Function: a job is one of the three.", result.Failures!);
        Assert.Contains("Worker:Jobs:1:Formula ('b') is empty: write a Python expression, e.g. price * (1 - discount).", result.Failures!);
    }

    [Fact]
    public void Validate_ScriptThatExists_IgnoresTheJobs()
    {
        var script = Path.GetTempFileName();
        try
        {
            Assert.True(new WorkerOptionsValidator().Validate(null, Bind([$"Worker:Script={script}", "Worker:Jobs:0:Interval=00:00:00"])).Succeeded);
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public void ToPlainData_ConvertsScalarsListsAndDictionaries()
    {
        var section = Configuration(["Args:0=42", "Args:1=2.5", "Args:2=true", "Args:3=text", "Args:4:0=1", "Args:4:1=x", "Args:5:region=North", "Args:5:limit=3"]).GetSection("Args");

        var value = WorkerConfiguration.ToPlainData(section);

        var expected = new List<object?>
        {
            42L, 2.5, true, "text", new List<object?> { 1L, "x" }, new Dictionary<string, object?> { ["limit"] = 3L, ["region"] = "North" },
        };
        Assert.Equal(expected, value);
    }

    private static IConfiguration Configuration(string[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(static s => s.Split('=', 2)).Select(static p => KeyValuePair.Create(p[0], (string?)p[1]))).Build();

    private static WorkerOptions Bind(string[] settings)
    {
        var options = new WorkerOptions();
        WorkerConfiguration.Bind(Configuration(settings).GetSection(WorkerOptions.SectionName), options);
        return options;
    }
}
