namespace PyHosting.Providers;

/// <summary>The status of a file system entry, as returned by <c>stat</c>/<c>lstat</c>.</summary>
/// <param name="Kind">What the entry is.</param>
/// <param name="Size">The size in bytes (for a link, the length of its text).</param>
/// <param name="Mode">
/// The permission bits (low 12 bits of the POSIX mode, e.g. <c>0o644</c>). For <see cref="PythonFileKind.Other"/>, the
/// <c>S_IFMT</c> type bits may be given too (<c>0o140000</c> a socket, <c>0o010000</c> a FIFO, <c>0o060000</c> a block
/// device); without them the entry is reported as a character device.
/// </param>
/// <param name="AccessTime">The last access time.</param>
/// <param name="ModificationTime">The last modification time.</param>
/// <param name="ChangeTime">The last status change time.</param>
/// <remarks>Times have the precision of <see cref="DateTimeOffset"/> (100 ns), or whatever coarser precision the provider has.</remarks>
public sealed record PythonFileStatus(
    PythonFileKind Kind,
    long Size,
    int Mode,
    DateTimeOffset AccessTime,
    DateTimeOffset ModificationTime,
    DateTimeOffset ChangeTime)
{
    /// <summary>Gets the number of hard links; 1 when unknown.</summary>
    public int LinkCount { get; init; } = 1;

    /// <summary>Gets the inode number, or 0 when unknown (the runtime then derives a stable one from the path).</summary>
    public long Inode { get; init; }

    /// <summary>Gets the owner's user id; 0 when unknown.</summary>
    public int UserId { get; init; }

    /// <summary>Gets the owner's group id; 0 when unknown.</summary>
    public int GroupId { get; init; }
}
