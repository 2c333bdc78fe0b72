using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal;

/// <summary>
/// Counts Python's heap and enforces <c>PythonRuntime:MemoryLimit</c>. CPython 3.11's pymalloc
/// serves objects of up to 512 bytes from 256 KiB arenas (the arena allocator) and sends every
/// larger request, and the memory of its own bookkeeping, to <c>PyMem_RawMalloc</c>: wrapping the
/// <c>PYMEM_DOMAIN_RAW</c> allocator and the arena allocator therefore sees almost all of the
/// interpreter's heap without hooking the MEM and OBJ domains (which pymalloc serves from those two).
/// A refused allocation returns NULL, which CPython turns into <c>MemoryError</c>.
/// </summary>
/// <remarks>
/// The hooks run on any thread, with or without the GIL, including threads .NET did not create;
/// they never throw and never allocate managed memory. Each raw block carries a 16-byte header
/// holding its size (malloc's alignment of 16 is kept), because <c>free</c> is not told the size.
/// The hooks are installed only when a limit is configured (<c>MemoryLimit</c> &gt; 0), before any other
/// call into CPython, and never removed: memory allocated through them must be freed through them.
/// Without a limit nothing is wrapped, so nothing is counted and Python allocates at CPython's own cost.
/// </remarks>
internal static unsafe partial class PythonInterpreter
{
    private const int HeaderSize = 16;

    // The largest request that still fits a header and a signed 64-bit count.
    private const ulong MaxRequest = long.MaxValue - HeaderSize;

    private static nint s_rawContext;
    private static delegate* unmanaged<nint, nuint, nint> s_rawMalloc;
    private static delegate* unmanaged<nint, nuint, nuint, nint> s_rawCalloc;
    private static delegate* unmanaged<nint, nint, nuint, nint> s_rawRealloc;
    private static delegate* unmanaged<nint, nint, void> s_rawFree;
    private static nint s_arenaContext;
    private static delegate* unmanaged<nint, nuint, nint> s_arenaAlloc;
    private static delegate* unmanaged<nint, nint, nuint, void> s_arenaFree;

    /// <summary>The bytes below the limit that .NET-side buffers never take (see <see cref="TryReserveHostMemory"/>).</summary>
    public const long HostMemoryHeadroom = 4L << 20;

    private static bool s_memoryHooked;
    private static long s_memoryUsed;
    private static long s_memoryLimit;
    private static long s_memoryRefusals;
    private static long s_lastRefusedBytes;

    // Allocations the runtime itself must be able to make near the limit (a thread state: CPython
    // aborts the process when it cannot create one) are not refused while this is above zero.
    #pragma warning disable IDE1006 // [ThreadStatic]: t_, not s_
    [ThreadStatic]
    private static int t_memoryLimitExempt;
    #pragma warning restore IDE1006

    /// <summary>
    /// Gets the bytes Python has allocated through the counted allocators, or <see langword="null"/> when
    /// nothing is counted: before the interpreter was started, or when it was started without a limit.
    /// </summary>
    public static long? MemoryUsage => Volatile.Read(ref s_memoryHooked) ? Interlocked.Read(ref s_memoryUsed) : null;

    /// <summary>Gets the enforced limit in bytes; 0 when there is none.</summary>
    public static long MemoryLimit => Interlocked.Read(ref s_memoryLimit);

    /// <summary>Gets the number of allocations refused because of the limit.</summary>
    public static long MemoryRefusals => Interlocked.Read(ref s_memoryRefusals);

    /// <summary>Gets the size of the last refused allocation.</summary>
    public static long LastRefusedBytes => Interlocked.Read(ref s_lastRefusedBytes);

    /// <summary>Lets this thread allocate beyond the limit until the returned scope is disposed (a no-op scope when there is no limit).</summary>
    /// <returns>The scope.</returns>
    public static MemoryLimitExemption ExemptFromMemoryLimit()
    {
        t_memoryLimitExempt++;
        return default;
    }

    /// <summary>
    /// Wraps the raw and arena allocators when <paramref name="limit"/> is positive (library loaded,
    /// interpreter not initialised, nothing allocated yet); without a limit, leaves them as they are.
    /// </summary>
    private static void InstallMemoryHooks(long limit)
    {
        // Counting costs on every allocation larger than 512 bytes and on every arena: pay it only for a limit.
        if (limit <= 0 || s_memoryHooked)
        {
            return;
        }

        Interlocked.Exchange(ref s_memoryLimit, limit);

        PyMemAllocatorEx raw;
        LibPython.PyMem_GetAllocator(PyMemAllocatorEx.DomainRaw, &raw);
        s_rawContext = raw.Context;
        s_rawMalloc = raw.Malloc;
        s_rawCalloc = raw.Calloc;
        s_rawRealloc = raw.Realloc;
        s_rawFree = raw.Free;

        PyObjectArenaAllocator arena;
        LibPython.PyObject_GetArenaAllocator(&arena);
        s_arenaContext = arena.Context;
        s_arenaAlloc = arena.Alloc;
        s_arenaFree = arena.Free;

        var counted = new PyMemAllocatorEx { Context = 0, Malloc = &RawMalloc, Calloc = &RawCalloc, Realloc = &RawRealloc, Free = &RawFree };
        LibPython.PyMem_SetAllocator(PyMemAllocatorEx.DomainRaw, &counted);
        var countedArena = new PyObjectArenaAllocator { Context = 0, Alloc = &ArenaAlloc, Free = &ArenaFree };
        LibPython.PyObject_SetArenaAllocator(&countedArena);
        Volatile.Write(ref s_memoryHooked, true);
    }

    /// <summary>Counts <paramref name="bytes"/> as allocated unless that would pass the limit.</summary>
    /// <returns><see langword="false"/> when the allocation must be refused (nothing counted).</returns>
    private static bool Reserve(long bytes)
    {
        var used = Interlocked.Add(ref s_memoryUsed, bytes);
        var limit = Volatile.Read(ref s_memoryLimit);
        if (limit == 0 || used <= limit || bytes == 0 || t_memoryLimitExempt > 0)
        {
            return true;
        }

        Interlocked.Add(ref s_memoryUsed, -bytes);
        Interlocked.Exchange(ref s_lastRefusedBytes, bytes);
        Interlocked.Increment(ref s_memoryRefusals);
        return false;
    }

    private static void Unreserve(long bytes) => Interlocked.Add(ref s_memoryUsed, -bytes);

    /// <summary>
    /// Counts <paramref name="bytes"/> of .NET-side memory that Python code fills (a pipe's buffer, the runtime's
    /// environment, a line waiting for the log) against <c>PythonRuntime:MemoryLimit</c>, as if Python had allocated it.
    /// </summary>
    /// <param name="bytes">The bytes about to be held; zero or negative reserves nothing.</param>
    /// <returns><see langword="false"/> when the limit would be passed (nothing counted): the caller refuses the operation.</returns>
    /// <remarks>
    /// Without a limit the bytes are still counted (and always granted), so that reserve and release stay paired.
    /// These buffers may not take the last <see cref="HostMemoryHeadroom"/> bytes below the limit: those stay
    /// Python's, so that code can still run, and close what holds the buffers, after one was refused.
    /// </remarks>
    public static bool TryReserveHostMemory(long bytes)
    {
        if (bytes <= 0)
        {
            return true;
        }

        var limit = Volatile.Read(ref s_memoryLimit);
        if (limit > 0 && t_memoryLimitExempt == 0 && Interlocked.Read(ref s_memoryUsed) + bytes > limit - HostMemoryHeadroom)
        {
            Interlocked.Exchange(ref s_lastRefusedBytes, bytes);
            Interlocked.Increment(ref s_memoryRefusals);
            return false;
        }

        return Reserve(bytes);
    }

    /// <summary>Returns bytes counted by <see cref="TryReserveHostMemory"/>.</summary>
    /// <param name="bytes">The bytes no longer held.</param>
    public static void ReleaseHostMemory(long bytes)
    {
        if (bytes > 0)
        {
            Unreserve(bytes);
        }
    }

    [UnmanagedCallersOnly]
    private static nint RawMalloc(nint context, nuint size) => (ulong)size > MaxRequest ? 0 : AllocateCounted(size, zeroed: false);

    /// <summary>Allocates a counted block of <paramref name="size"/> bytes (at most <see cref="MaxRequest"/>); 0 when refused or out of memory.</summary>
    private static nint AllocateCounted(nuint size, bool zeroed)
    {
        if (!Reserve((long)size))
        {
            return 0;
        }

        // size + header is never 0, so the block is a distinct non-NULL pointer even for malloc(0).
        var block = zeroed ? s_rawCalloc(s_rawContext, 1, size + HeaderSize) : s_rawMalloc(s_rawContext, size + HeaderSize);
        if (block == 0)
        {
            Unreserve((long)size);
            return 0;
        }

        *(nuint*)block = size;
        return block + HeaderSize;
    }

    [UnmanagedCallersOnly]
    private static nint RawCalloc(nint context, nuint count, nuint elementSize)
    {
        if (elementSize != 0 && (ulong)count > MaxRequest / elementSize)
        {
            return 0;
        }

        return AllocateCounted(count * elementSize, zeroed: true);
    }

    [UnmanagedCallersOnly]
    private static nint RawRealloc(nint context, nint pointer, nuint size)
    {
        if ((ulong)size > MaxRequest)
        {
            return 0;
        }

        if (pointer == 0)
        {
            return AllocateCounted(size, zeroed: false);
        }

        var block = pointer - HeaderSize;
        var growth = (long)size - (long)*(nuint*)block;

        // On failure realloc leaves the block as it was, so only growth is reserved up front.
        if (growth > 0 && !Reserve(growth))
        {
            return 0;
        }

        var moved = s_rawRealloc(s_rawContext, block, size + HeaderSize);
        if (moved == 0)
        {
            if (growth > 0)
            {
                Unreserve(growth);
            }

            return 0;
        }

        if (growth < 0)
        {
            Unreserve(-growth);
        }

        *(nuint*)moved = size;
        return moved + HeaderSize;
    }

    [UnmanagedCallersOnly]
    private static void RawFree(nint context, nint pointer)
    {
        if (pointer == 0)
        {
            return;
        }

        var block = pointer - HeaderSize;
        var size = *(nuint*)block;
        s_rawFree(s_rawContext, block);
        Unreserve((long)size);
    }

    [UnmanagedCallersOnly]
    private static nint ArenaAlloc(nint context, nuint size)
    {
        if ((ulong)size > MaxRequest || !Reserve((long)size))
        {
            return 0;
        }

        var arena = s_arenaAlloc(s_arenaContext, size);
        if (arena == 0)
        {
            Unreserve((long)size);
        }

        return arena;
    }

    [UnmanagedCallersOnly]
    private static void ArenaFree(nint context, nint pointer, nuint size)
    {
        s_arenaFree(s_arenaContext, pointer, size);
        if (pointer != 0)
        {
            Unreserve((long)size);
        }
    }

    /// <summary>Ends an exemption from the memory limit (<see cref="ExemptFromMemoryLimit"/>) on the thread that began it.</summary>
    [StructLayout(LayoutKind.Auto)]
    public readonly struct MemoryLimitExemption : IDisposable
    {
        public void Dispose() => t_memoryLimitExempt--;
    }
}
