using PyHosting.Internal.Bridge;
using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Internal.Managed.Modules;

/// <summary>
/// Patches <c>select</c>: <c>select.select</c> works on the runtime's virtual descriptors; <c>poll</c>,
/// <c>epoll</c> and friends are removed so that <c>selectors</c> (and <c>subprocess</c>) use <c>select</c>.
/// </summary>
internal sealed unsafe class SelectModule
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    private readonly ManagedBackend _backend;
    private readonly ModulePatcher _patcher;

    /// <summary>Initializes a new instance of the <see cref="SelectModule"/> class, over <paramref name="backend"/>'s descriptors.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="patcher">The patcher of the backend's modules.</param>
    public SelectModule(ManagedBackend backend, ModulePatcher patcher)
    {
        _backend = backend;
        _patcher = patcher;
    }

    public int Patch(nint module)
    {
        _patcher.Replace(module, "select", "select", "rlist, wlist, xlist, timeout=None, /", Select);
        foreach (var name in (ReadOnlySpan<string>)["poll", "epoll", "devpoll", "kqueue", "kevent"])
        {
            if (LibPython.PyObject_HasAttrString(module, (byte*)System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(name)) == 1)
            {
                fixed (byte* n = System.Text.Encoding.ASCII.GetBytes(name + "\0"))
                {
                    LibPython.PyObject_SetAttrString(module, n, 0);
                }
            }
        }

        return 0;
    }

    private nint Select(BridgeArgs args)
    {
        var backend = _backend;
        var lists = new List<(nint Object, int Fd)>[3];
        try
        {
            lists[0] = Descriptors(Arg.Required(args, 0, "rlist"));
            lists[1] = Descriptors(Arg.Required(args, 1, "wlist"));
            lists[2] = Descriptors(Arg.Required(args, 2, "xlist"));
            return Wait(backend, lists, Timeout(Arg.Optional(args, "timeout")));
        }
        finally
        {
            // The items were kept until the result lists took their own references.
            foreach (var list in lists)
            {
                foreach (var (o, _) in list ?? [])
                {
                    LibPython.Py_DecRef(o);
                }
            }
        }
    }

    /// <summary>The timeout in seconds (None: wait without end), checked as CPython checks it.</summary>
    private static double? Timeout(nint timeout)
    {
        if (timeout == 0)
        {
            return null;
        }

        var seconds = Arg.Seconds(timeout);
        if (double.IsNaN(seconds))
        {
            throw new PythonArgumentException("Invalid value NaN (not a number)", isValueError: true);
        }

        if (seconds < 0)
        {
            throw new PythonArgumentException("timeout must be non-negative", isValueError: true);
        }

        return seconds < TimeSpan.MaxValue.TotalSeconds / 2
            ? seconds
            : throw new PythonArgumentException("timeout is too large", isValueError: true);
    }

    private static nint Wait(ManagedBackend backend, List<(nint Object, int Fd)>[] lists, double? timeout)
    {
        foreach (var list in lists)
        {
            foreach (var (_, fd) in list)
            {
                backend.Fds.Get(fd); // EBADF for a descriptor the runtime does not have
            }
        }

        var token = CallContext.Current?.CancellationToken ?? CancellationToken.None;
        var deadline = timeout is { } t ? backend.Clock.GetTimestamp() + (long)(t * backend.Clock.TimestampFrequency) : long.MaxValue;
        List<(nint Object, int Fd)> readable;
        while (true)
        {
            readable = lists[0].Where(x => backend.Fds.Get(x.Fd).ReadReady).ToList();
            if (readable.Count > 0 || lists[1].Count > 0 || backend.Clock.GetTimestamp() >= deadline)
            {
                break;
            }

            var state = LibPython.PyEval_SaveThread();
            try
            {
                token.WaitHandle.WaitOne(PollInterval);
                token.ThrowIfCancellationRequested();
            }
            finally
            {
                LibPython.PyEval_RestoreThread(state);
            }
        }

        return Py.Tuple(ToList(readable), ToList(lists[1]), ToList([]));
    }

    /// <summary>The descriptors of one list: each item is an int or has <c>fileno()</c>; every item is kept (a new reference).</summary>
    private static List<(nint Object, int Fd)> Descriptors(nint sequence)
    {
        var result = new List<(nint, int)>();
        var iterator = LibPython.PyObject_GetIter(sequence);
        if (iterator == 0)
        {
            LibPython.PyErr_Clear();
            throw new PythonArgumentException("arguments 1-3 must be sequences");
        }

        try
        {
            nint item;
            while ((item = LibPython.PyIter_Next(iterator)) != 0)
            {
                result.Add((item, 0)); // owned by the list from here, released by the caller
                result[^1] = (item, DescriptorOf(item));
            }

            if (LibPython.PyErr_Occurred() != 0)
            {
                throw new PythonErrorException();
            }

            return result;
        }
        catch
        {
            foreach (var (o, _) in result)
            {
                LibPython.Py_DecRef(o);
            }

            throw;
        }
        finally
        {
            LibPython.Py_DecRef(iterator);
        }
    }

    private static int DescriptorOf(nint item)
    {
        if (Py.IsInstanceOfFlag(item, Py.TpFlagsLongSubclass))
        {
            return Arg.ToInt(Arg.Long(item, "fd"), "fd");
        }

        var fileno = Py.GetAttr(item, "fileno");
        if (fileno == 0)
        {
            LibPython.PyErr_Clear();
            throw new PythonArgumentException("argument must be an int, or have a fileno() method.");
        }

        var empty = LibPython.PyTuple_New(0);
        var r = LibPython.PyObject_Call(fileno, empty, 0);
        LibPython.Py_DecRef(empty);
        LibPython.Py_DecRef(fileno);
        if (r == 0)
        {
            throw new PythonErrorException();
        }

        try
        {
            return Py.IsInstanceOfFlag(r, Py.TpFlagsLongSubclass)
                ? Arg.ToInt(Arg.Long(r, "fd"), "fd")
                : throw new PythonArgumentException("fileno() returned a non-integer");
        }
        finally
        {
            LibPython.Py_DecRef(r);
        }
    }

    private static nint ToList(List<(nint Object, int Fd)> items)
    {
        var list = LibPython.PyList_New(0);
        foreach (var (o, _) in items)
        {
            LibPython.PyList_Append(list, o);
        }

        return list;
    }
}
