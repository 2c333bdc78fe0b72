using PyHosting.Providers;

namespace PyHosting.Internal.Managed;

/// <summary>
/// Changes to the runtime's environment (<c>os.putenv</c>, <c>os.environ[...] = ...</c>, <c>os.unsetenv</c>):
/// the environment is held in .NET, so what Python adds is bounded and counted against
/// <c>PythonRuntime:MemoryLimit</c>.
/// </summary>
internal sealed partial class ManagedBackend
{
    /// <summary>The most bytes (UTF-8 names and values) the runtime's environment holds: Linux passes at most this much to a program anyway.</summary>
    public const int MaxEnvironmentBytes = 1 << 20;

    private long _environmentBytes = -1;
    private long _environmentCharged;

    /// <summary>Sets a variable of the runtime's environment.</summary>
    /// <exception cref="PythonIOException"><c>ENOMEM</c>: the environment would pass <see cref="MaxEnvironmentBytes"/> or the memory limit.</exception>
    public void SetEnvironmentVariable(string name, string value)
    {
        lock (Environment)
        {
            var total = EnvironmentBytes();
            var size = EntryBytes(name, value);
            var old = Environment.TryGetValue(name, out var previous) ? EntryBytes(name, previous) : 0;
            var growth = size - old;
            if (growth > 0 && total + growth > MaxEnvironmentBytes)
            {
                throw new PythonIOException(Errno.ENOMEM, $"Cannot allocate memory: the environment would pass {MaxEnvironmentBytes} bytes");
            }

            if (growth > 0 && !PythonInterpreter.TryReserveHostMemory(growth))
            {
                throw new PythonIOException(Errno.ENOMEM, $"Cannot allocate memory: the environment would pass {Key(PythonRuntimeConfigurationKeys.MemoryLimit)}");
            }

            Environment[name] = value;
            Account(total, growth);
        }
    }

    /// <summary>Removes a variable of the runtime's environment, if present.</summary>
    public void RemoveEnvironmentVariable(string name)
    {
        lock (Environment)
        {
            var total = EnvironmentBytes();
            if (Environment.Remove(name, out var previous))
            {
                Account(total, -EntryBytes(name, previous));
            }
        }
    }

    private static long EntryBytes(string name, string value) => System.Text.Encoding.UTF8.GetByteCount(name) + System.Text.Encoding.UTF8.GetByteCount(value) + 2;

    /// <summary>The environment's size; computed once, then kept up to date (lock on <see cref="Environment"/> held).</summary>
    private long EnvironmentBytes()
    {
        if (_environmentBytes < 0)
        {
            _environmentBytes = Environment.Sum(e => EntryBytes(e.Key, e.Value));
        }

        return _environmentBytes;
    }

    /// <summary>Records a change of size: growth was reserved by the caller; shrinking gives back what Python had added.</summary>
    private void Account(long total, long change)
    {
        _environmentBytes = total + change;
        if (change > 0)
        {
            _environmentCharged += change;
        }
        else
        {
            // The configured environment was never charged: only what Python added is returned.
            var back = Math.Min(-change, _environmentCharged);
            _environmentCharged -= back;
            PythonInterpreter.ReleaseHostMemory(back);
        }
    }
}
