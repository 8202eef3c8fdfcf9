using System.Formats.Tar;

namespace ClipUp.Data;

/// <summary>One regular file inside a shard: its extension, where its bytes lie in the shard file, and (when
/// asked for) the bytes themselves.</summary>
public sealed record TarMember(string Extension, long Offset, long Length, byte[]? Content);

/// <summary>Consecutive members of one shard that share a key: one WebDataset sample before interpretation.</summary>
public sealed record TarGroup(string Shard, string Key, IReadOnlyDictionary<string, TarMember> Members);

/// <summary>
/// Walks the members of a WebDataset shard with <see cref="TarReader"/> straight from the file (nothing is
/// extracted to disk) and groups them by key the way webdataset's <c>group_by_keys</c> does: a new sample starts
/// when the key changes or when an extension repeats within a key. Directories, links and webdataset's
/// <c>__meta__</c>-style top-level files are passed over, as are names without an extension.
/// </summary>
public static class WebDatasetTar
{
    /// <summary>
    /// The samples of <paramref name="shard"/> in file order. Members whose extension satisfies
    /// <paramref name="readContent"/> are read into <see cref="TarMember.Content"/>; the rest are only located.
    /// A damaged or truncated tar throws <see cref="InvalidDataException"/> naming the shard and the byte position.
    /// </summary>
    public static IEnumerable<TarGroup> Groups(string shard, Func<string, bool> readContent, CancellationToken cancel = default)
    {
        if (!File.Exists(shard))
            throw new FileNotFoundException($"WebDataset shard '{shard}' does not exist (check the shard pattern and BaseDirectory)", shard);
        using var stream = new FileStream(shard, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        long fileLength = stream.Length;
        CheckEnd(stream, shard);
        using var reader = new TarReader(stream, leaveOpen: true);
        string? key = null;
        var members = new Dictionary<string, TarMember>(StringComparer.Ordinal);
        long next = 0; // where the next header should start: errors are reported there
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            var entry = Next(reader, shard, next);
            if (entry is null)
                break;
            // The entry's own header is the block before its data (GNU long-name blocks, if any, come earlier).
            long header = entry.DataOffset - 512;
            if (entry.DataOffset < 512 || entry.DataOffset + entry.Length > fileLength)
                throw Damaged(shard, next,
                    $"member '{entry.Name}' needs {entry.Length:N0} bytes from offset {entry.DataOffset:N0} but the file ends at {fileLength:N0} (truncated)");
            CheckHeader(stream, shard, header);
            next = entry.DataOffset + (entry.Length + 511) / 512 * 512;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
                continue;
            var (memberKey, extension) = Split(entry.Name);
            if (memberKey is null || extension is null)
                continue;
            byte[]? content = readContent(extension) ? ReadData(entry, shard, header) : null;
            if (key is not null && (memberKey != key || members.ContainsKey(extension)))
            {
                yield return new TarGroup(shard, key, members);
                members = new Dictionary<string, TarMember>(StringComparer.Ordinal);
            }
            key = memberKey;
            members[extension] = new TarMember(extension, entry.DataOffset, entry.Length, content);
        }
        if (key is not null)
            yield return new TarGroup(shard, key, members);
    }

    /// <summary>
    /// webdataset's <c>base_plus_ext</c>: key = directory + file name up to its first dot, extension = the rest in
    /// lower case; (null, null) for names without a dot after a non-empty stem and for top-level <c>__x__</c> files.
    /// </summary>
    public static (string? Key, string? Extension) Split(string name)
    {
        int slash = name.LastIndexOf('/');
        string file = name[(slash + 1)..];
        if (slash < 0 && file.StartsWith("__", StringComparison.Ordinal) && file.EndsWith("__", StringComparison.Ordinal))
            return (null, null);
        int dot = file.IndexOf('.');
        if (dot <= 0 || dot == file.Length - 1)
            return (null, null);
        return (name[..(slash + 1 + dot)], file[(dot + 1)..].ToLowerInvariant());
    }

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/> of <paramref name="shard"/>
    /// with a positional read (safe from any thread; no shared stream position).</summary>
    public static byte[] ReadAt(string shard, long offset, long length)
    {
        if (length > Array.MaxLength)
            throw new InvalidDataException($"{shard}: a member of {length:N0} bytes at offset {offset:N0} is too large to load");
        using var handle = File.OpenHandle(shard, FileMode.Open, FileAccess.Read, FileShare.Read);
        var bytes = new byte[length];
        int done = 0;
        while (done < bytes.Length)
        {
            int n = RandomAccess.Read(handle, bytes.AsSpan(done), offset + done);
            if (n == 0)
                throw new InvalidDataException(
                    $"{shard}: the member at offset {offset:N0} ends after {done:N0} of {length:N0} bytes; the shard changed or was truncated since it was indexed");
            done += n;
        }
        return bytes;
    }

    /// <summary>
    /// A tar is whole 512-byte blocks ending in two zero blocks (every writer emits them). A download cut at a member
    /// boundary would otherwise read as a shorter, valid shard, so the end is checked before anything is read.
    /// </summary>
    static void CheckEnd(FileStream stream, string shard)
    {
        long length = stream.Length;
        if (length == 0)
            throw Damaged(shard, 0, "the file is empty (0 bytes)");
        Span<byte> magic = stackalloc byte[2];
        if (RandomAccess.Read(stream.SafeFileHandle, magic, 0) == 2 && magic[0] == 0x1F && magic[1] == 0x8B)
            throw new InvalidDataException(
                $"{shard}: a gzip-compressed shard; decompress it first (gunzip), since samples are read by offset from plain tar files");
        if (length % 512 != 0)
            throw Damaged(shard, length, $"{length:N0} bytes is not a whole number of 512-byte tar blocks (truncated)");
        var tail = new byte[Math.Min(1024, length)];
        RandomAccess.Read(stream.SafeFileHandle, tail, length - tail.Length);
        if (tail.Length < 1024 || tail.AsSpan().ContainsAnyExcept((byte)0))
            throw Damaged(shard, length, "the end-of-archive marker (two zero blocks) is missing (truncated)");
    }

    /// <summary>
    /// Verifies the checksum of the header block at <paramref name="position"/> (sum of its 512 bytes with the
    /// checksum field read as spaces, stored in octal at bytes 148-155; old tars summed signed bytes). TarReader
    /// does not, so a flipped bit in a name or size would otherwise pass unnoticed or derail the walk.
    /// </summary>
    static void CheckHeader(FileStream stream, string shard, long position)
    {
        Span<byte> header = stackalloc byte[512];
        if (RandomAccess.Read(stream.SafeFileHandle, header, position) != 512)
            throw Damaged(shard, position, "the member header is cut short");
        long unsigned = 8 * ' ', signed = 8 * ' ';
        for (int i = 0; i < 512; i++)
        {
            if (i is >= 148 and < 156)
                continue;
            unsigned += header[i];
            signed += (sbyte)header[i];
        }
        var field = header[148..156];
        long stored = 0;
        bool digits = false;
        foreach (byte b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                stored = stored * 8 + (b - '0');
                digits = true;
            }
            else if (digits || b is not ((byte)' ' or 0))
                break;
        }
        if (!digits || (stored != unsigned && stored != signed))
            throw Damaged(shard, position, $"header checksum {stored} does not match the computed {unsigned} (corrupt member header)");
    }

    static TarEntry? Next(TarReader reader, string shard, long position)
    {
        try
        {
            return reader.GetNextEntry(copyData: false);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException or OverflowException)
        {
            throw Damaged(shard, position, e.Message, e);
        }
    }

    static byte[] ReadData(TarEntry entry, string shard, long position)
    {
        var bytes = new byte[entry.Length];
        try
        {
            entry.DataStream?.ReadExactly(bytes);
        }
        catch (EndOfStreamException e)
        {
            throw Damaged(shard, position, $"member '{entry.Name}' is cut short", e);
        }
        return bytes;
    }

    static InvalidDataException Damaged(string shard, long position, string detail, Exception? inner = null) =>
        new($"{shard}: not a readable tar shard (damaged or truncated near byte {position:N0}: {detail}); " +
            "re-download or re-write this shard, or leave it out of the shard pattern", inner);
}
