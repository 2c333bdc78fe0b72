using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>The rules of <c>PythonRuntime:Isolation</c>.</summary>
internal sealed partial class PythonRuntimeOptionsCustomValidator
{
    private static readonly TimeSpan MaxCallGracePeriod = TimeSpan.FromMinutes(1);

    private void ValidateIsolation(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        var isolation = options.Isolation;
        ValidateEnum(K(PythonRuntimeConfigurationKeys.IsolationMode), isolation.Mode, errors);
        ValidateEnum(K(PythonRuntimeConfigurationKeys.IsolationConfinement), isolation.Confinement, errors);

        var graceKey = K(PythonRuntimeConfigurationKeys.IsolationCallGracePeriod);
        if (isolation.CallGracePeriod < TimeSpan.Zero || isolation.CallGracePeriod > MaxCallGracePeriod)
        {
            errors.AddError(Invariant($"{graceKey} '{isolation.CallGracePeriod:c}' is out of range; use a time span from 00:00:00 to {MaxCallGracePeriod:c}, such as {PythonIsolationOptions.DefaultCallGracePeriod:c}."));
        }

        var recycleKey = K(PythonRuntimeConfigurationKeys.IsolationRecycleAfterCalls);
        if (isolation.RecycleAfterCalls is < 0)
        {
            errors.AddError(Invariant($"{recycleKey} '{isolation.RecycleAfterCalls}' must not be negative; set a number of calls such as 1000, or 0 to keep workers until they fail."));
        }

        // Providers chosen in code stay in the host's container; a worker's requests for them are brokered over its channel.
        ValidatePool(isolation, errors);
    }

    private const int MaxWorkerCount = 64;

    private void ValidatePool(PythonIsolationOptions isolation, ValidateOptionsResultBuilder errors)
    {
        var maxKey = K(PythonRuntimeConfigurationKeys.IsolationMaxWorkers);
        var minKey = K(PythonRuntimeConfigurationKeys.IsolationMinWorkers);
        if (isolation.MaxWorkers is < 1 or > MaxWorkerCount)
        {
            errors.AddError(Invariant($"{maxKey} '{isolation.MaxWorkers}' is out of range; use a number of worker processes from 1 to {MaxWorkerCount}, such as {Environment.ProcessorCount} (this machine's cores)."));
        }
        else if (isolation.MinWorkers < 0 || isolation.MinWorkers > isolation.MaxWorkers)
        {
            errors.AddError(Invariant($"{minKey} '{isolation.MinWorkers}' is out of range; use a number from 0 to {maxKey} ({isolation.MaxWorkers})."));
        }

        if (isolation.MaxQueuedCalls < 0)
        {
            errors.AddError(Invariant($"{K(PythonRuntimeConfigurationKeys.IsolationMaxQueuedCalls)} '{isolation.MaxQueuedCalls}' must not be negative; use 0 to refuse every call that would wait, or a bound such as {PythonIsolationOptions.DefaultMaxQueuedCalls}."));
        }

        for (var i = 0; i < isolation.Preload.Count; i++)
        {
            if (!PythonNames.IsDottedIdentifier(isolation.Preload[i]))
            {
                errors.AddError(Invariant($"{K(PythonRuntimeConfigurationKeys.IsolationPreload)}:{i} '{isolation.Preload[i]}' is not a Python module name; use a dotted identifier such as json or package.module."));
            }
        }
    }
}
