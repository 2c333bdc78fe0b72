namespace PyHosting.Samples.WorkerService;

/// <summary>The worker's configuration (section <c>Worker</c>).</summary>
internal sealed class WorkerOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Worker";

    /// <summary>Gets or sets a value indicating whether every job runs once, then the process exits (0, or 1 if a job failed).</summary>
    public bool RunOnce { get; set; }

    /// <summary>
    /// Gets or sets a Python file on the host to run instead of the jobs: its folder is mounted
    /// read-only at <c>/app</c>, and the process exits 0 on success, 1 on a Python error.
    /// </summary>
    public string? Script { get; set; }

    /// <summary>Gets the jobs run on their schedule.</summary>
    public IList<PythonJobOptions> Jobs { get; } = [];
}

/// <summary>One job (<c>Worker:Jobs:n</c>): a script to run, or a module's function to call, every <see cref="Interval"/>.</summary>
internal sealed class PythonJobOptions
{
    /// <summary>Gets or sets the job's name, used in the log.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the script's path in the runtime's file system, e.g. <c>/app/sales_report.py</c>.</summary>
    public string? Script { get; set; }

    /// <summary>Gets or sets the module whose <see cref="Function"/> is called, found on <c>PythonRuntime:ModulePaths</c>.</summary>
    public string? Module { get; set; }

    /// <summary>Gets or sets the function of <see cref="Module"/> to call.</summary>
    public string? Function { get; set; }

    /// <summary>Gets the positional arguments of <see cref="Function"/>, read from <c>Args</c> as plain data (see <see cref="WorkerConfiguration"/>).</summary>
    public IList<object?> Arguments { get; } = [];

    /// <summary>
    /// Gets or sets a user-supplied formula: a Python expression evaluated with <see cref="FormulaVariables"/> as its names, on the
    /// <see cref="Worker.FormulasRuntime"/> runtime unless <see cref="Runtime"/> says otherwise.
    /// </summary>
    public string? Formula { get; set; }

    /// <summary>Gets the names a <see cref="Formula"/> sees, read from <c>Variables</c> as plain data (see <see cref="WorkerConfiguration"/>).</summary>
    public IDictionary<string, object?> FormulaVariables { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the runtime the job runs on: empty for the default (trusted) runtime, or the name of a runtime of
    /// <c>PythonRuntime:Runtimes</c>. A <see cref="Formula"/> runs on <see cref="Worker.FormulasRuntime"/> by default.
    /// </summary>
    public string? Runtime { get; set; }

    /// <summary>Gets the name of the runtime the job runs on; empty for the default runtime.</summary>
    public string RuntimeName => !string.IsNullOrWhiteSpace(Runtime) ? Runtime : Formula is not null ? Worker.FormulasRuntime : string.Empty;

    /// <summary>Gets or sets the time between two runs.</summary>
    /// <value>Defaults to one minute.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets what the job runs, for the log: the script, or <c>module.function</c>.</summary>
    public string Target => Script ?? (Formula is not null ? "formula " + Formula : $"{Module}.{Function}");
}
