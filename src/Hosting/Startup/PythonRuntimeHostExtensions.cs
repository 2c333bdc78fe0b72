using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PyHosting.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>Runs a host whose configuration problems are reported as a list and an exit code, not as a stack trace.</summary>
public static class PythonRuntimeHostExtensions
{
    /// <summary>
    /// Starts <paramref name="host"/> and waits until it shuts down. When it cannot start because of its configuration
    /// (options validation, the runtime refusing to start), writes each problem to <paramref name="error"/> with
    /// <see cref="PythonRuntimeStartupErrors.TryReport"/> and returns <see cref="PythonRuntimeStartupErrors.ExitCode"/>.
    /// </summary>
    /// <param name="host">The built host.</param>
    /// <param name="error">Where problems are written; <see langword="null"/> for <see cref="Console.Error"/>.</param>
    /// <param name="cancellationToken">Stops the host, as <c>RunAsync</c>'s token does.</param>
    /// <returns><c>0</c> once the host has shut down; <see cref="PythonRuntimeStartupErrors.ExitCode"/> (2) when it could not start.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// The options registered with <c>ValidateOnStart</c> are validated before the host is started, as
    /// <c>IHost.StartAsync</c> would validate them, so that an invalid configuration is reported before the host logs the
    /// failure with its stack trace; a runtime that refuses to start fails inside the host's start, which logs it before it
    /// is reported. Any other exception propagates unchanged. Unlike <c>RunAsync</c>, the host is not
    /// disposed: the caller, which built it, disposes it (and may still read its services after shutdown).
    /// </remarks>
    public static async Task<int> RunPythonHostAsync(this IHost host, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (!PythonRuntimeStartupErrors.TryReport(e, error ?? Console.Error))
            {
                throw;
            }

            return PythonRuntimeStartupErrors.ExitCode;
        }

        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
