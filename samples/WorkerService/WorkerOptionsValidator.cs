using System.Globalization;
using Microsoft.Extensions.Options;

namespace PyHosting.Samples.WorkerService;

/// <summary>Checks <see cref="WorkerOptions"/> at start; every message names the key, the value found and the fix.</summary>
/// <param name="runtimes">The registered runtimes, which a job's <c>Runtime</c> must name; <see langword="null"/> skips that check.</param>
internal sealed class WorkerOptionsValidator(IPythonRuntimeProvider? runtimes = null) : IValidateOptions<WorkerOptions>
{
    private const string Jobs = WorkerOptions.SectionName + ":Jobs";

    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Script is not null)
        {
            ValidateScript(options.Script, errors);
        }
        else if (options.Jobs.Count == 0)
        {
            errors.Add($"{Jobs} is empty: add a job (Name, Script or Module and Function or Formula, Interval), or run one file with --{WorkerOptions.SectionName}:Script=<path>.");
        }
        else
        {
            for (var i = 0; i < options.Jobs.Count; i++)
            {
                ValidateJob(options.Jobs, i, errors, runtimes);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateScript(string script, List<string> errors)
    {
        var key = WorkerOptions.SectionName + ":Script";
        if (string.IsNullOrWhiteSpace(script))
        {
            errors.Add($"{key} is empty: pass the path of a Python file, e.g. --{key}=./hello.py.");
        }
        else if (!File.Exists(script))
        {
            errors.Add($"{key} '{script}' was not found (looked for '{Path.GetFullPath(script)}'): pass the path of an existing Python file.");
        }
    }

    private static void ValidateJob(IList<PythonJobOptions> jobs, int index, List<string> errors, IPythonRuntimeProvider? runtimes)
    {
        var job = jobs[index];
        var key = string.Create(CultureInfo.InvariantCulture, $"{Jobs}:{index}");
        if (string.IsNullOrWhiteSpace(job.Name))
        {
            errors.Add($"{key}:Name is empty: give every job a name.");
        }
        else
        {
            for (var other = 0; other < index; other++)
            {
                if (string.Equals(jobs[other].Name, job.Name, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:Name '{job.Name}' is also the name of {Jobs}:{other}: job names must be unique."));
                    break;
                }
            }
        }

        var hasScript = !string.IsNullOrWhiteSpace(job.Script);
        var hasModule = !string.IsNullOrWhiteSpace(job.Module);
        var hasFunction = !string.IsNullOrWhiteSpace(job.Function);
        if (job.Formula is not null)
        {
            if (string.IsNullOrWhiteSpace(job.Formula))
            {
                errors.Add($"{key}:Formula ('{job.Name}') is empty: write a Python expression, e.g. price * (1 - discount).");
            }

            if (hasScript || hasModule || hasFunction)
            {
                errors.Add($"{key} ('{job.Name}') sets Formula and also Script or Module/Function: a job is one of the three.");
            }
        }
        else if (hasScript && (hasModule || hasFunction))
        {
            errors.Add($"{key} ('{job.Name}') sets both Script and Module/Function: set Script to run a file, or Module and Function to call a function.");
        }
        else if (!hasScript && !hasModule && !hasFunction)
        {
            errors.Add($"{key} ('{job.Name}') sets neither Script nor Module and Function nor Formula: set Script (e.g. /app/report.py), Module and Function (e.g. stats and summarize), or Formula (e.g. price * (1 - discount)).");
        }
        else if (hasModule != hasFunction)
        {
            errors.Add(hasModule
                ? $"{key}:Module '{job.Module}' needs {key}:Function (found none): name the function to call."
                : $"{key}:Function '{job.Function}' needs {key}:Module (found none): name the module that defines it.");
        }

        if (hasScript && !job.Script!.StartsWith('/'))
        {
            errors.Add($"{key}:Script '{job.Script}' is not an absolute path of the runtime's file system: use a mounted path such as /app/{Path.GetFileName(job.Script)}.");
        }

        if (runtimes is not null && job.RuntimeName.Length > 0 && !runtimes.Names.Contains(job.RuntimeName, StringComparer.Ordinal))
        {
            errors.Add($"{key}:Runtime '{job.RuntimeName}' ('{job.Name}') is not a registered runtime: use one of {string.Join(", ", runtimes.Names.Select(static n => n.Length == 0 ? "'' (the default runtime)" : $"'{n}'"))}.");
        }

        if (job.Interval <= TimeSpan.Zero)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:Interval '{job.Interval}' must be positive, e.g. 00:01:00."));
        }
    }
}
