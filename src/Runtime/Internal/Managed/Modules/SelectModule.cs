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
        _patcher.Replace(module, "select", "select", Select);
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
            for (var i = 0; i < 3; i++)
            {
                lists[i] = Descriptors(args[i]);
            }

            return Wait(backend, lists, args.Get(3, "timeout"));
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

    private static nint Wait(ManagedBackend backend, List<(nint Object, int Fd)>[] lists, nint timeoutObject)
    {
        double? timeout = timeoutObject == 0 || timeoutObject == LibPython.None ? null : LibPython.PyFloat_AsDouble(timeoutObject);
        if (timeout == -1 && LibPython.PyErr_Occurred() != 0)
        {
            return 0;
        }

        if (timeout < 0)
        {
            throw new PythonArgumentException("timeout must be non-negative", true);
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

    private static List<(nint Object, int Fd)> Descriptors(nint sequence)
    {
        var result = new List<(nint, int)>();
        if (sequence == 0)
        {
            return result;
        }

        var iterator = LibPython.PyObject_GetIter(sequence);
        if (iterator == 0)
        {
            LibPython.PyErr_Clear();
            throw new PythonArgumentException("arguments 1-3 must be sequences");
        }

        nint item;
        while ((item = LibPython.PyIter_Next(iterator)) != 0)
        {
            int fd;
            if (Py.IsInstanceOfFlag(item, Py.TpFlagsLongSubclass))
            {
                fd = (int)LibPython.PyLong_AsLongLong(item);
            }
            else
            {
                var fileno = Py.GetAttr(item, "fileno");
                if (fileno == 0)
                {
                    LibPython.PyErr_Clear();
                    LibPython.Py_DecRef(item);
                    LibPython.Py_DecRef(iterator);
                    throw new PythonArgumentException("argument must be an int, or have a fileno() method.");
                }

                var empty = LibPython.PyTuple_New(0);
                var r = LibPython.PyObject_Call(fileno, empty, 0);
                LibPython.Py_DecRef(empty);
                LibPython.Py_DecRef(fileno);
                if (r == 0)
                {
                    LibPython.Py_DecRef(item);
                    LibPython.Py_DecRef(iterator);
                    throw new PythonArgumentException("fileno() failed");
                }

                fd = (int)LibPython.PyLong_AsLongLong(r);
                LibPython.Py_DecRef(r);
            }

            result.Add((item, fd)); // the reference is kept until the result list is built
        }

        LibPython.Py_DecRef(iterator);
        return result;
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
