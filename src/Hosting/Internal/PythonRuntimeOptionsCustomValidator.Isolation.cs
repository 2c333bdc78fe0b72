using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>The rules of <c>PythonRuntime:Isolation</c>.</summary>
internal sealed partial class PythonRuntimeOptionsCustomValidator
{
    private static readonly TimeSpan MaxCallGracePeriod = TimeSpan.FromMinutes(1);

    private void ValidateIsolation(PythonRuntimeOptions options, ValidateOptionsResultBuilder errors)
    {
        var isolation = options.Isolation;
        ValidateEnum(PythonRuntimeConfigurationKeys.IsolationMode, isolation.Mode, errors);
        ValidateEnum(PythonRuntimeConfigurationKeys.IsolationConfinement, isolation.Confinement, errors);

        const string graceKey = PythonRuntimeConfigurationKeys.IsolationCallGracePeriod;
        if (isolation.CallGracePeriod < TimeSpan.Zero || isolation.CallGracePeriod > MaxCallGracePeriod)
        {
            errors.AddError(Invariant($"{graceKey} '{isolation.CallGracePeriod:c}' is out of range; use a time span from 00:00:00 to {MaxCallGracePeriod:c}, such as {PythonIsolationOptions.DefaultCallGracePeriod:c}."));
        }

        const string recycleKey = PythonRuntimeConfigurationKeys.IsolationRecycleAfterCalls;
        if (isolation.RecycleAfterCalls is < 0)
        {
            errors.AddError(Invariant($"{recycleKey} '{isolation.RecycleAfterCalls}' must not be negative; set a number of calls such as 1000, or 0 to keep workers until they fail."));
        }

        if (isolation.Mode != PythonIsolationMode.Process)
        {
            return;
        }

        // The worker builds its own providers from the same options; providers chosen in code live only in the
        // host's container, and a worker cannot call them yet.
        const string modeKey = PythonRuntimeConfigurationKeys.IsolationMode;
        foreach (var (service, implementation) in new[] { ("IPythonFileSystem", _registrations?.CodeFileSystem), ("IPythonProcessProvider", _registrations?.CodeProcessProvider) })
        {
            if (implementation is not null)
            {
                errors.AddError($"{modeKey} 'Process' cannot use the {service} registered in code ({implementation}): a worker process serves the providers built from configuration ({PythonRuntimeConfigurationKeys.Mounts}, {PythonRuntimeConfigurationKeys.Section}:Processes); remove the registration, or use {modeKey}=InProcess.");
            }
        }
    }
}
