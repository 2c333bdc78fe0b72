using System.Buffers.Binary;
using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace PyHosting.Hosting.Isolation;

/// <summary>
/// The seccomp filter of a confined worker whose runtime may not create processes (<c>Permissions:CreateProcess</c>
/// false): <c>fork</c>, <c>vfork</c> and a <c>clone</c> that is not a thread fail with <c>EPERM</c>, <c>clone3</c>
/// (whose flags a filter cannot read) with <c>ENOSYS</c>, so that the C library falls back to <c>clone</c>, and any
/// system call of another architecture kills the process. Threads are untouched. It holds for native code too (a
/// registered extension, ctypes with <c>NativeAccess</c>), which the Managed backend's checks cannot see, and for the
/// Native backend, which has no checks. x86-64 only; elsewhere no filter is installed.
/// </summary>
/// <remarks>
/// bubblewrap loads the program from an inherited descriptor (<c>--seccomp FD</c>) after it has set up the namespaces,
/// just before it runs the worker: the read end of an anonymous pipe that holds the program, closed in the host once
/// the worker has started.
/// </remarks>
internal static class WorkerSeccomp
{
    private const ushort LoadWordAbsolute = 0x20;   // BPF_LD | BPF_W | BPF_ABS
    private const ushort JumpEqual = 0x15;          // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort JumpGreaterEqual = 0x35;   // BPF_JMP | BPF_JGE | BPF_K
    private const ushort JumpSet = 0x45;            // BPF_JMP | BPF_JSET | BPF_K
    private const ushort Return = 0x06;             // BPF_RET | BPF_K

    private const uint AuditArchX8664 = 0xC000003E;
    private const uint X32SystemCallBit = 0x40000000;
    private const uint RetKillProcess = 0x80000000;
    private const uint RetAllow = 0x7FFF0000;
    private const uint RetErrno = 0x00050000;
    private const uint EPerm = 1;
    private const uint ENoSys = 38;
    private const uint CloneThread = 0x00010000;

    private const uint Clone = 56;
    private const uint Fork = 57;
    private const uint VFork = 58;
    private const uint Clone3 = 435;

    /// <summary>Gets a value indicating whether this machine's architecture has a filter.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>Gets the filter program: <c>struct sock_filter</c> entries (code, jt, jf, k), in the machine's byte order.</summary>
    public static byte[] Program { get; } = Build();

    /// <summary>Puts the program in a pipe whose read end a child process inherits.</summary>
    /// <returns>The pipe (dispose its client handle's local copy once the child has started, then the pipe) and the descriptor to pass to bubblewrap.</returns>
    public static (AnonymousPipeServerStream Pipe, string Descriptor) CreateInheritablePipe()
    {
        var pipe = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
        try
        {
            pipe.Write(Program);
            pipe.Flush();
            return (pipe, pipe.GetClientHandleAsString());
        }
        catch
        {
            pipe.Dispose();
            throw;
        }
    }

    private static byte[] Build()
    {
        // Jump offsets count from the next instruction; targets: 11 allow, 12 EPERM, 13 ENOSYS.
        (ushort Code, byte True, byte False, uint K)[] program =
        [
            (LoadWordAbsolute, 0, 0, 4),                 // 0: A = seccomp_data.arch
            (JumpEqual, 1, 0, AuditArchX8664),           // 1: x86-64: go on
            (Return, 0, 0, RetKillProcess),              // 2: another architecture's calls
            (LoadWordAbsolute, 0, 0, 0),                 // 3: A = seccomp_data.nr
            (JumpGreaterEqual, 8, 0, X32SystemCallBit),  // 4: x32 calls: ENOSYS
            (JumpEqual, 7, 0, Clone3),                   // 5: clone3: ENOSYS (the C library falls back to clone)
            (JumpEqual, 5, 0, Fork),                     // 6: fork: EPERM
            (JumpEqual, 4, 0, VFork),                    // 7: vfork: EPERM
            (JumpEqual, 0, 2, Clone),                    // 8: clone: check its flags; anything else: allow
            (LoadWordAbsolute, 0, 0, 16),                // 9: A = low word of args[0] (the flags)
            (JumpSet, 0, 1, CloneThread),                // 10: a thread: allow; a process: EPERM
            (Return, 0, 0, RetAllow),                    // 11
            (Return, 0, 0, RetErrno | EPerm),            // 12
            (Return, 0, 0, RetErrno | ENoSys),           // 13
        ];

        var bytes = new byte[program.Length * 8];
        for (var i = 0; i < program.Length; i++)
        {
            var entry = bytes.AsSpan(i * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(entry, program[i].Code);
            entry[2] = program[i].True;
            entry[3] = program[i].False;
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], program[i].K);
        }

        return bytes;
    }
}
