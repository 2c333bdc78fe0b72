using System.Security.Cryptography;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Interception;

/// <summary>
/// <c>marshal.loads</c> can build arbitrary code objects, and crafted code crashes CPython. The
/// only bytecode the Managed backend unmarshals is what the import system just read from the
/// read-only Python home: <c>io.open_code</c> records a digest of each such <c>.pyc</c> payload,
/// and the audit hook lets <c>marshal.loads</c> through only for a recorded payload (once).
/// </summary>
internal sealed unsafe class TrustedBytecode
{
    private const int PycHeaderSize = 16;
    private readonly HashSet<UInt128> _pending = [];
    private readonly HashSet<UInt128> _frozen = [];

    /// <summary>Records the interpreter's own frozen modules (compiled into the library), which it unmarshals at start and on import.</summary>
    public void RecordFrozenModules()
    {
        foreach (var table in (ReadOnlySpan<string>)["_PyImport_FrozenBootstrap", "_PyImport_FrozenStdlib", "_PyImport_FrozenTest"])
        {
            var entry = *(nint*)LibPython.Export(table);
            if (entry == 0)
            {
                continue;
            }

            // struct _frozen { const char *name; const unsigned char *code; int size; int is_package; get_code; } (32 bytes)
            for (; *(nint*)entry != 0; entry += 32)
            {
                var code = *(nint*)(entry + 8);
                var size = *(int*)(entry + 16);
                if (code != 0 && size > 0)
                {
                    _frozen.Add(Digest(new ReadOnlySpan<byte>((void*)code, size)));
                }
            }
        }
    }

    /// <summary>Records a <c>.pyc</c> file read through <c>io.open_code</c> from a system root.</summary>
    public void Record(ReadOnlySpan<byte> pyc)
    {
        if (pyc.Length <= PycHeaderSize)
        {
            return;
        }

        var digest = Digest(pyc[PycHeaderSize..]);
        lock (_pending)
        {
            _pending.Add(digest);
        }
    }

    /// <summary>Gets or sets a value indicating whether user code can run yet (before that, the interpreter's own start-up unmarshals freely).</summary>
    public bool Enforcing { get; set; }

    /// <summary>Decides a <c>marshal.loads</c> audit event: allowed only for a recorded payload (its first argument is exactly <c>bytes</c>).</summary>
    public bool IsTrusted(nint auditArgs)
    {
        if (!Enforcing)
        {
            return true;
        }

        if (auditArgs == 0 || Py.TypeOf(auditArgs) != LibPython.TupleType || *(nint*)(auditArgs + 16) < 1)
        {
            return false;
        }

        var data = *(nint*)(auditArgs + 24);
        if (Py.TypeOf(data) != LibPython.BytesType)
        {
            return false;
        }

        // PyBytesObject: ob_size at 16, ob_sval at 32.
        return IsTrusted(new ReadOnlySpan<byte>((void*)(data + 32), (int)*(nint*)(data + 16)));
    }

    /// <summary>Whether <paramref name="payload"/> may be unmarshalled: a frozen module, or a recorded <c>.pyc</c> payload (once).</summary>
    public bool IsTrusted(ReadOnlySpan<byte> payload)
    {
        var digest = Digest(payload);
        lock (_pending)
        {
            return _frozen.Contains(digest) || _pending.Remove(digest);
        }
    }

    private static UInt128 Digest(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return new UInt128(BitConverter.ToUInt64(hash), BitConverter.ToUInt64(hash[8..]));
    }
}
