using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PyHosting.Hosting.Internal;

/// <summary>The rules across the runtimes of one host.</summary>
internal sealed partial class PythonRuntimeOptionsCustomValidator
{
    /// <summary>
    /// CPython exists once per process: of the runtimes with <c>Isolation:Mode=InProcess</c>, the first registered is
    /// valid and each later one fails, naming its own key and the earlier runtime's.
    /// </summary>
    private IEnumerable<string> ValidateAcrossRuntimes(PythonRuntimeRegistrations registrations, PythonRuntimeOptions options)
    {
        if (options.Isolation.Mode != PythonIsolationMode.InProcess)
        {
            yield break;
        }

        foreach (var earlier in _catalog!.Runtimes.TakeWhile(r => !ReferenceEquals(r, registrations)))
        {
            if (Unvalidated(earlier.Name).Isolation.Mode == PythonIsolationMode.InProcess)
            {
                var key = options.Key(PythonRuntimeConfigurationKeys.IsolationMode);
                var otherKey = PythonRuntimeOptions.QualifyKey(RuntimeNames.SectionPath(earlier.Name), PythonRuntimeConfigurationKeys.IsolationMode);
                yield return $"{key} 'InProcess' cannot be used: the runtime '{earlier.DisplayName}' is already InProcess ({otherKey}), and CPython exists once per process. Set {key}=Process (or {otherKey}=Process) so that one of them runs in worker processes.";
                yield break;
            }
        }
    }

    /// <summary>Builds another runtime's options as the options factory does, without validating them (they are validated on their own).</summary>
    private PythonRuntimeOptions Unvalidated(string name)
    {
        var options = new PythonRuntimeOptions();
        foreach (var configure in _services!.GetServices<IConfigureOptions<PythonRuntimeOptions>>())
        {
            if (configure is IConfigureNamedOptions<PythonRuntimeOptions> named)
            {
                named.Configure(name, options);
            }
            else if (name.Length == 0)
            {
                configure.Configure(options);
            }
        }

        foreach (var post in _services!.GetServices<IPostConfigureOptions<PythonRuntimeOptions>>())
        {
            post.PostConfigure(name, options);
        }

        return options;
    }
}
