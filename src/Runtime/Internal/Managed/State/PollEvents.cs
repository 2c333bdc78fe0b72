namespace PyHosting.Internal.Managed.State;

/// <summary>Linux's poll/epoll event bits (the same numbers for <c>POLL*</c> and <c>EPOLL*</c>), as the runtime's descriptors report them.</summary>
internal static class PollEvents
{
    public const int In = 0x1;
    public const int Pri = 0x2;
    public const int Out = 0x4;
    public const int Err = 0x8;
    public const int Hup = 0x10;
    public const int Nval = 0x20;
    public const int RdNorm = 0x40;
    public const int RdBand = 0x80;
    public const int WrNorm = 0x100;
    public const int WrBand = 0x200;
    public const int RdHup = 0x2000;

    /// <summary>Readable: <c>POLLIN | POLLRDNORM</c>.</summary>
    public const int Readable = In | RdNorm;

    /// <summary>Writable: <c>POLLOUT | POLLWRNORM</c>.</summary>
    public const int Writable = Out | WrNorm;

    /// <summary>What poll and epoll report whether or not they were asked for.</summary>
    public const int Always = Err | Hup;
}
