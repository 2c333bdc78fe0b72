using System.Runtime.InteropServices;

namespace PyHosting.Internal.Managed.Hardening;

/// <summary>
/// How deep Python may recurse on the calling thread. In CPython 3.11 a Python-to-Python call costs no
/// C stack, but every level that passes through C (a key function of <c>sorted</c>, <c>__lt__</c> inside a
/// sort, <c>__getattr__</c>, <c>map</c>) does: measured on 3.11.2, a <c>sorted</c> whose <c>__lt__</c> sorts again
/// uses about 2.8 KiB of C stack per unit of the recursion limit and overflows an 8 MiB thread stack near a
/// limit of 3000. The limit may therefore never exceed what the thread's stack holds at
/// <see cref="BytesPerLevel"/> per level, whatever the caller asked for.
/// </summary>
internal static partial class RecursionBudget
{
    /// <summary>The stack reserved per unit of the recursion limit (the worst case measured, with a margin).</summary>
    public const int BytesPerLevel = 4096;

    /// <summary>The stack kept for the host frames below the Python call and for the handling of the RecursionError.</summary>
    public const int ReservedBytes = 512 * 1024;

    /// <summary>The lowest cap (CPython's default limit), used when the stack size cannot be read.</summary>
    public const int Minimum = 1000;

    /// <summary>Gets the highest safe recursion limit on the calling thread, at most <paramref name="ceiling"/>.</summary>
    /// <remarks>
    /// The limit is the interpreter's, shared by every thread: it is computed for the smaller of this thread's stack
    /// and <see cref="CallThreads.StackSize"/>, which every thread that runs Python has at least (calls run on call
    /// threads, and Python threads get no less, see <c>ThreadModule</c>).
    /// </remarks>
    public static int SafeLimit(int ceiling)
    {
        var stack = Math.Min(Math.Min(CurrentThreadStackSize(), CallThreads.StackSize), Volatile.Read(ref s_smallestAdmittedStack));
        var fits = stack <= ReservedBytes ? Minimum : (int)Math.Min(int.MaxValue, (stack - ReservedBytes) / BytesPerLevel);
        return Math.Clamp(fits, Minimum, Math.Max(Minimum, ceiling));
    }

    /// <summary>The smallest stack of a thread admitted to run synchronous calls itself (<see cref="Admit"/>).</summary>
    private static long s_smallestAdmittedStack = long.MaxValue;

    /// <summary>Gets how many levels of recursion a stack of <paramref name="stack"/> bytes holds.</summary>
    public static long LevelsFor(long stack) => stack <= ReservedBytes ? 0 : (stack - ReservedBytes) / BytesPerLevel;

    /// <summary>
    /// Admits a thread with a stack smaller than a call thread's to run Python (a synchronous call on the caller's
    /// own thread): from then on, <see cref="SafeLimit"/> never allows more recursion than that stack holds, for the
    /// limit is the interpreter's. Only stacks that hold at least <see cref="Minimum"/> levels are admitted; the
    /// caller then checks, with the GIL held, that the limit in force fits its stack.
    /// </summary>
    /// <returns>Whether the thread may run Python.</returns>
    public static bool Admit(long stack)
    {
        if (LevelsFor(stack) < Minimum)
        {
            return false;
        }

        var smallest = Volatile.Read(ref s_smallestAdmittedStack);
        while (stack < smallest)
        {
            var seen = Interlocked.CompareExchange(ref s_smallestAdmittedStack, stack, smallest);
            if (seen == smallest)
            {
                break;
            }

            smallest = seen;
        }

        return true;
    }

    /// <summary>Gets the size of the calling thread's stack, or 0 when it cannot be read.</summary>
    public static long CurrentThreadStackSize()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        // pthread_attr_t is 56 bytes on glibc x86-64 and 64 on arm64: a larger buffer fits both.
        Span<byte> attributes = stackalloc byte[128];
        unsafe
        {
            fixed (byte* a = attributes)
            {
                if (pthread_getattr_np(pthread_self(), (nint)a) != 0)
                {
                    return 0;
                }

                try
                {
                    return pthread_attr_getstacksize((nint)a, out var size) == 0 ? (long)size : 0;
                }
                finally
                {
                    _ = pthread_attr_destroy((nint)a);
                }
            }
        }
    }

    [LibraryImport("libc")]
    private static partial nint pthread_self();

    [LibraryImport("libc")]
    private static partial int pthread_getattr_np(nint thread, nint attributes);

    [LibraryImport("libc")]
    private static partial int pthread_attr_getstacksize(nint attributes, out nuint size);

    [LibraryImport("libc")]
    private static partial int pthread_attr_destroy(nint attributes);
}
