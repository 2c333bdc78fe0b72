using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;
using PyHosting.Providers;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// The buffers of a vectored call (<c>readv</c>, <c>writev</c>, <c>preadv</c>, <c>pwritev</c>): a sequence of bytes-like
/// objects, each held through the buffer protocol (writable when asked) until disposed, so that none can be resized or
/// freed while the call runs, with or without the GIL. Checked as CPython checks them: a sequence, at most
/// <see cref="IovMax"/> items (<c>EINVAL</c>), each a C-contiguous buffer.
/// </summary>
internal sealed unsafe class BufferList : IDisposable
{
    /// <summary>Linux's <c>IOV_MAX</c>.</summary>
    public const int IovMax = 1024;

    private const int PyBufSimple = 0;
    private const int PyBufWritable = 1;
    private const int PyBufferSize = 80;
    private static delegate* unmanaged<nint, int> s_sequenceCheck;
    private static delegate* unmanaged<nint, nint> s_sequenceSize;
    private static delegate* unmanaged<nint, nint, nint> s_sequenceItem;
    private readonly List<nint> _views = [];

    private BufferList()
    {
    }

    /// <summary>Gets the number of buffers.</summary>
    public int Count => _views.Count;

    /// <summary>Gets the bytes of all buffers together (each is below 2 GiB, so the sum fits).</summary>
    public long TotalLength { get; private set; }

    /// <summary>Gets the bytes of buffer <paramref name="index"/>.</summary>
    public Span<byte> this[int index] => new(*(void**)_views[index], LengthOf(_views[index]));

    /// <summary>Reads the sequence <paramref name="sequence"/> for <paramref name="function"/>.</summary>
    /// <exception cref="PythonArgumentException">It is not a sequence.</exception>
    /// <exception cref="PythonIOException"><c>EINVAL</c>: more than <see cref="IovMax"/> buffers.</exception>
    /// <exception cref="PythonErrorException">An item is not such a buffer, or reading the sequence raised (the Python error is set).</exception>
    public static BufferList Of(nint sequence, string function, bool writable)
    {
        if (s_sequenceCheck == null)
        {
            s_sequenceCheck = (delegate* unmanaged<nint, int>)LibPython.Export("PySequence_Check");
            s_sequenceSize = (delegate* unmanaged<nint, nint>)LibPython.Export("PySequence_Size");
            s_sequenceItem = (delegate* unmanaged<nint, nint, nint>)LibPython.Export("PySequence_GetItem");
        }

        if (sequence == 0 || s_sequenceCheck(sequence) != 1)
        {
            throw new PythonArgumentException($"{function}() arg 2 must be a sequence");
        }

        var count = s_sequenceSize(sequence);
        if (count < 0)
        {
            throw new PythonErrorException();
        }

        if (count > IovMax)
        {
            throw new PythonIOException(Errno.EINVAL, "Invalid argument");
        }

        var list = new BufferList();
        try
        {
            for (nint i = 0; i < count; i++)
            {
                var item = s_sequenceItem(sequence, i);
                if (item == 0)
                {
                    throw new PythonErrorException();
                }

                var view = (byte*)NativeMemory.AllocZeroed(PyBufferSize);
                var got = LibPython.PyObject_GetBuffer(item, (nint)view, writable ? PyBufWritable : PyBufSimple);
                LibPython.Py_DecRef(item); // the view keeps its own reference to the exporter
                if (got < 0)
                {
                    NativeMemory.Free(view);
                    throw new PythonErrorException();
                }

                list._views.Add((nint)view);
                list.TotalLength += LengthOf((nint)view);
            }

            return list;
        }
        catch
        {
            list.Dispose();
            throw;
        }
    }

    /// <summary>Copies <paramref name="data"/> into the buffers in order; returns the bytes copied.</summary>
    public int Scatter(ReadOnlySpan<byte> data)
    {
        var copied = 0;
        for (var i = 0; i < Count && copied < data.Length; i++)
        {
            var target = this[i];
            var n = Math.Min(target.Length, data.Length - copied);
            data.Slice(copied, n).CopyTo(target);
            copied += n;
        }

        return copied;
    }

    /// <summary>Copies the buffers in order into <paramref name="target"/> (as much as fits); returns the bytes copied.</summary>
    public int Gather(Span<byte> target)
    {
        var copied = 0;
        for (var i = 0; i < Count && copied < target.Length; i++)
        {
            var source = this[i];
            var n = Math.Min(source.Length, target.Length - copied);
            source[..n].CopyTo(target[copied..]);
            copied += n;
        }

        return copied;
    }

    public void Dispose()
    {
        foreach (var view in _views)
        {
            LibPython.PyBuffer_Release(view);
            NativeMemory.Free((void*)view);
        }

        _views.Clear();
    }

    /// <summary>A view's <c>len</c>, read as its first 2 GiB when longer.</summary>
    private static int LengthOf(nint view) => (int)Math.Min(*(long*)(view + 16), int.MaxValue);
}
