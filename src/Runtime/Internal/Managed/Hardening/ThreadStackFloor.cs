using PyHosting.Internal.Interop;
using PyHosting.Internal.Managed.Interception;

namespace PyHosting.Internal.Managed.Hardening;

/// <summary>The least stack a Python thread gets (<c>_thread.stack_size</c>).</summary>
internal static unsafe class ThreadStackFloor
{
    /// <summary>
    /// Python threads get at least <see cref="CallThreads.StackSize"/> of stack, as calls do: the recursion limit is
    /// shared by all threads and sized for that stack, so a thread started after <c>stack_size(32768)</c> overflowed on
    /// ordinary recursion and killed the host. A smaller size (0, the platform's default, included) is raised to the
    /// floor, with a compatibility log; the interpreter's size starts at the floor.
    /// </summary>
    /// <param name="module">An instance of <c>_thread</c>.</param>
    /// <param name="backend">The backend whose compatibility log reports a raised size.</param>
    /// <param name="patcher">The backend's module patcher.</param>
    public static void Apply(nint module, ManagedBackend backend, ModulePatcher patcher)
    {
        nint original = 0;
        original = patcher.Replace(module, "_thread", "stack_size", "size=0, /", args =>
        {
            var requested = args.Get("size");
            if (requested == 0 || !Py.IsInstanceOfFlag(requested, Py.TpFlagsLongSubclass))
            {
                return args.Forward(original); // the current size, or the original's TypeError
            }

            var size = LibPython.PyLong_AsLongLong(requested);
            if (LibPython.PyErr_Occurred() != 0 || size < 0 || size >= CallThreads.StackSize)
            {
                LibPython.PyErr_Clear();
                return args.Forward(original);
            }

            CompatibilityLog.ThreadStackRaised(backend.Compatibility, size, CallThreads.StackSize);

            return SetStackSize(original, CallThreads.StackSize);
        });

        // The interpreter's size, which threads started before any stack_size call get, starts at the floor.
        var previous = original == 0 ? 0 : SetStackSize(original, CallThreads.StackSize);
        if (previous != 0)
        {
            LibPython.Py_DecRef(previous);
        }

        LibPython.PyErr_Clear();
    }

    /// <summary>Calls the original <c>stack_size(size)</c>; returns its result (the previous size) or 0 with the error set.</summary>
    private static nint SetStackSize(nint original, long size)
    {
        var args = Py.Tuple(Py.NewInt(size));
        var result = LibPython.PyObject_Call(original, args, 0);
        LibPython.Py_DecRef(args);
        return result;
    }
}
