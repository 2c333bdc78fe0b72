using System.Runtime.InteropServices;

namespace PyHosting.Internal.Interop;

/// <summary><c>PyMemAllocatorEx</c> (CPython 3.11 <c>Include/cpython/pymem.h</c>): one allocator domain's functions and their context.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PyMemAllocatorEx
{
    /// <summary>The <c>PYMEM_DOMAIN_RAW</c> domain: <c>PyMem_RawMalloc</c> and friends, callable without the GIL.</summary>
    public const int DomainRaw = 0;

    public nint Context;
    public delegate* unmanaged<nint, nuint, nint> Malloc;
    public delegate* unmanaged<nint, nuint, nuint, nint> Calloc;
    public delegate* unmanaged<nint, nint, nuint, nint> Realloc;
    public delegate* unmanaged<nint, nint, void> Free;
}

/// <summary><c>PyObjectArenaAllocator</c> (CPython 3.11 <c>Include/cpython/objimpl.h</c>): pymalloc's arenas and the frame stacks.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PyObjectArenaAllocator
{
    public nint Context;
    public delegate* unmanaged<nint, nuint, nint> Alloc;
    public delegate* unmanaged<nint, nint, nuint, void> Free;
}
