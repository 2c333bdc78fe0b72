using System.Text;

namespace PyHosting.Providers.Internal.InMemory;

/// <summary>An entry of the in-memory file system. Every member is guarded by <see cref="MemoryStore.Gate"/>.</summary>
internal abstract class MemoryNode
{
    protected MemoryNode(MemoryStore store, int mode)
    {
        Store = store;
        Inode = store.NextInode();
        Mode = mode & 0xFFF;
        AccessTime = ModificationTime = ChangeTime = store.Now();
    }

    public MemoryStore Store { get; }

    public long Inode { get; }

    public int Mode { get; set; }

    public DateTimeOffset AccessTime { get; set; }

    public DateTimeOffset ModificationTime { get; set; }

    public DateTimeOffset ChangeTime { get; set; }

    public abstract PythonFileKind Kind { get; }

    /// <summary>Gets or sets how many directory entries name this node (hard links); directories have exactly one.</summary>
    public int NameCount { get; set; } = 1;

    /// <summary>Gets the bytes this node charges against the quota, besides its name.</summary>
    public abstract long ChargedBytes { get; }

    public abstract PythonFileStatus ToStatus();

    /// <summary>Called when the node's last name is removed.</summary>
    public virtual void Unlinked() => Store.Release(ChargedBytes);

    protected PythonFileStatus Status(long size, int linkCount) =>
        new(Kind, size, Mode, AccessTime, ModificationTime, ChangeTime) { Inode = Inode, LinkCount = linkCount };
}

internal sealed class MemoryDirectory(MemoryStore store, int mode, MemoryDirectory? parent) : MemoryNode(store, mode)
{
    /// <summary>Gets or sets the containing directory; the root is its own parent.</summary>
    public MemoryDirectory Parent { get; set; } = parent ?? null!;

    public Dictionary<string, MemoryNode> Entries { get; } = new(StringComparer.Ordinal);

    public override PythonFileKind Kind => PythonFileKind.Directory;

    public override long ChargedBytes => 0;

    public override PythonFileStatus ToStatus()
        => Status(4096, 2 + Entries.Values.Count(static e => e is MemoryDirectory));

    public void Touch()
    {
        ModificationTime = ChangeTime = Store.Now();
    }

    /// <summary>Gets a value indicating whether <paramref name="other"/> is this directory or lies beneath it.</summary>
    public bool IsSameOrAncestorOf(MemoryDirectory other)
    {
        for (var current = other; ; current = current.Parent)
        {
            if (ReferenceEquals(current, this))
            {
                return true;
            }

            if (ReferenceEquals(current.Parent, current))
            {
                return false;
            }
        }
    }
}

internal sealed class MemorySymbolicLink(MemoryStore store, string target) : MemoryNode(store, 0x1FF)
{
    public string Target { get; } = target;

    public override PythonFileKind Kind => PythonFileKind.SymbolicLink;

    public override long ChargedBytes => Encoding.UTF8.GetByteCount(Target);

    public override PythonFileStatus ToStatus() => Status(ChargedBytes, NameCount);
}

internal sealed class MemoryFile(MemoryStore store, int mode) : MemoryNode(store, mode)
{
    private byte[] _data = [];

    public long Length { get; private set; }

    public bool IsLinked { get; private set; } = true;

    public int OpenCount { get; set; }

    public override PythonFileKind Kind => PythonFileKind.File;

    public override long ChargedBytes => Length;

    public override PythonFileStatus ToStatus() => Status(Length, NameCount);

    /// <summary>Keeps the content (and its quota charge) while a stream is still open, as POSIX keeps an unlinked but open file.</summary>
    public override void Unlinked()
    {
        IsLinked = false;
        ReleaseIfUnused();
    }

    public void ReleaseIfUnused()
    {
        if (!IsLinked && OpenCount == 0)
        {
            Store.Release(Length);
            Length = 0;
            _data = [];
        }
    }

    public int Read(long position, Span<byte> buffer)
    {
        if (position >= Length)
        {
            return 0;
        }

        var count = (int)Math.Min(buffer.Length, Length - position);
        _data.AsSpan((int)position, count).CopyTo(buffer);
        return count;
    }

    /// <summary>Writes at <paramref name="position"/>, growing the file; nothing changes when the quota refuses the growth.</summary>
    /// <returns>The position after the written bytes.</returns>
    public long Write(long position, ReadOnlySpan<byte> buffer, string path)
    {
        var end = position + buffer.Length;
        if (end > Length)
        {
            Grow(end, path);
        }

        buffer.CopyTo(_data.AsSpan((int)position));
        ModificationTime = ChangeTime = Store.Now();
        return end;
    }

    public void SetLength(long length, string path)
    {
        if (length > Length)
        {
            Grow(length, path);
        }
        else if (length < Length)
        {
            // Bytes past the end are kept zeroed so that growing again reads zeros.
            Array.Clear(_data, (int)length, (int)(Length - length));
            Store.Release(Length - length);
            Length = length;
            if (_data.Length > 4096 && _data.Length / 4 > length)
            {
                Array.Resize(ref _data, (int)Math.Max(length, 1024));
            }
        }

        ModificationTime = ChangeTime = Store.Now();
    }

    private void Grow(long length, string path)
    {
        Store.Charge(length - Length, path);
        if (length > Array.MaxLength)
        {
            Store.Release(length - Length);
            throw FileSystemErrors.Create(Errno.EFBIG, path);
        }

        if (length > _data.Length)
        {
            // Over-allocate to amortise appends, but never beyond what the quota still allows.
            var headroom = Store.MaxTotalBytes - Store.UsedBytes;
            var capacity = Math.Min(Math.Max(length, (long)_data.Length * 2), Math.Min(length + headroom, Array.MaxLength));
            Array.Resize(ref _data, (int)Math.Max(capacity, length));
        }

        Length = length;
    }
}
