using Microsoft.Extensions.Logging;
using System.Runtime.InteropServices;

namespace PyHosting.Internal.Managed.State;

/// <summary>
/// Keeps the host alive when one of the runtime's children sends it <c>SIGUSR1</c> or <c>SIGUSR2</c> while Python
/// code has a handler (or <c>SIG_IGN</c>) installed for that signal. <c>signal.signal</c> only records Python's
/// handlers, so without this the host would keep the default disposition of these two signals and be killed by a
/// child doing what CPython's own tests do (<c>os.kill(os.getppid(), signal.SIGUSR1)</c>).
/// </summary>
/// <remarks>
/// Only with <c>CreateProcess</c> (without it no code of the runtime can signal the host), only for the two signals
/// whose meaning is left to applications (never <c>SIGINT</c>, <c>SIGTERM</c> or <c>SIGHUP</c>, which stop the
/// host), and only while Python's handler is installed: a <see cref="PosixSignalRegistration"/> is added beside the
/// host's own (which still run) and removed when Python restores <c>SIG_DFL</c> or the runtime stops. The signal
/// is absorbed and logged; Python's handler is not called, as no signal is delivered to the Managed backend.
/// </remarks>
internal sealed class ChildSignalGuard(bool childrenAllowed, ILogger compatibility) : IDisposable
{
    private const int SigUsr1 = 10;
    private const int SigUsr2 = 12;

    private readonly Dictionary<int, PosixSignalRegistration> _registrations = [];
    private bool _disposed;

    /// <summary>Follows a change of Python's handler for <paramref name="signal"/>.</summary>
    /// <param name="signal">The signal number.</param>
    /// <param name="handled">Whether Python now handles or ignores it (anything but <c>SIG_DFL</c>).</param>
    public void HandlerChanged(long signal, bool handled)
    {
        if (!childrenAllowed || !OperatingSystem.IsLinux() || signal is not (SigUsr1 or SigUsr2))
        {
            return;
        }

        var number = (int)signal;
        lock (_registrations)
        {
            if (_disposed)
            {
                return;
            }

            if (handled && !_registrations.ContainsKey(number))
            {
                try
                {
                    _registrations[number] = PosixSignalRegistration.Create((PosixSignal)number, Absorb);
                }
                catch (Exception e) when (e is PlatformNotSupportedException or IOException or ArgumentOutOfRangeException)
                {
                    // Python's handler is still recorded; the host keeps its disposition, as without CreateProcess.
                    CompatibilityLog.Unsupported(compatibility, $"keeping the host alive on signal {number}: {e.Message}");
                }
            }
            else if (!handled && _registrations.Remove(number, out var registration))
            {
                registration.Dispose();
            }
        }
    }

    /// <summary>Removes every registration: the host's dispositions are what they were before the runtime.</summary>
    public void Dispose()
    {
        lock (_registrations)
        {
            _disposed = true;
            foreach (var registration in _registrations.Values)
            {
                registration.Dispose();
            }

            _registrations.Clear();
        }
    }

    private void Absorb(PosixSignalContext context)
    {
        context.Cancel = true;
        CompatibilityLog.ChildSignalAbsorbed(compatibility, (int)context.Signal);
    }
}
