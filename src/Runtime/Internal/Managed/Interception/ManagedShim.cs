using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Modules;

namespace PyHosting.Internal.Managed.Interception;

/// <summary>
/// The Python half of the Managed backend (<c>pyhosting_managed.py</c>), loaded on first use. GIL held.
/// Its namespace is reachable from Python (the <c>__globals__</c> of its functions), so the objects the host
/// calls are taken from it once, when it has just run and before any user code, and kept by the host:
/// deleting or replacing a name there later changes nothing the host calls. The references are process-wide:
/// the shim lives in the one interpreter, whose modules are the process's.
/// </summary>
internal static unsafe class ManagedShim
{
    /// <summary>The shim's names the host calls or installs.</summary>
    public static readonly IReadOnlyList<string> HostNames = ["FileIO", "DirEntry", "make_scandir", "bind_standard_streams", "make_socket_type", "poll", "new_poll", "epoll"];

    private static nint[]? s_objects;

    /// <summary>Gets one of the <see cref="HostNames"/> as the shim defined it (borrowed reference, kept for the process).</summary>
    /// <exception cref="InvalidOperationException">The name is not one the host takes from the shim.</exception>
    public static nint Get(string name)
    {
        var index = IndexOf(name);
        var objects = s_objects ?? Load();
        return objects[index];
    }

    /// <summary>Calls a shim function, stealing <paramref name="args"/>; returns a new reference, or 0 with the Python error set.</summary>
    public static nint Call(string function, params ReadOnlySpan<nint> args)
    {
        var f = Get(function);
        var tuple = Py.Tuple(args);
        if (tuple == 0)
        {
            return 0;
        }

        var result = LibPython.PyObject_Call(f, tuple, 0);
        LibPython.Py_DecRef(tuple);
        return result;
    }

    private static int IndexOf(string name)
    {
        for (var i = 0; i < HostNames.Count; i++)
        {
            if (HostNames[i] == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"'{name}' is not a name the host takes from the managed shim.");
    }

    /// <summary>Runs the shim and keeps a strong reference to each of the <see cref="HostNames"/>.</summary>
    private static nint[] Load()
    {
        var globals = EmbeddedPython.Run("pyhosting_managed.py");
        try
        {
            // The shim's open() makes the host's C-level FileIO.
            var backend = PythonInterpreter.Backend as ManagedBackend ?? throw new InvalidOperationException("The managed shim runs only with the managed backend.");
            fixed (byte* n = "FileIO\0"u8)
            {
                if (LibPython.PyDict_SetItemString(globals, n, FileIOType.Get(backend)) < 0)
                {
                    throw PythonErrors.FromCurrent("installing the managed FileIO");
                }
            }

            var objects = new nint[HostNames.Count];
            for (var i = 0; i < objects.Length; i++)
            {
                fixed (byte* n = System.Text.Encoding.UTF8.GetBytes(HostNames[i] + "\0"))
                {
                    objects[i] = LibPython.PyDict_GetItemString(globals, n); // borrowed
                }

                if (objects[i] == 0)
                {
                    throw new InvalidOperationException($"The managed shim defines no '{HostNames[i]}'.");
                }
            }

            foreach (var o in objects)
            {
                LibPython.Py_IncRef(o);
            }

            s_objects = objects;
            return objects;
        }
        finally
        {
            // The shim's functions keep their namespace alive; the host keeps only what it calls.
            LibPython.Py_DecRef(globals);
        }
    }
}
