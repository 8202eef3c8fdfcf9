using System.Formats.Tar;
using System.Globalization;

namespace ClipUp.Data;

/// <summary>Where and how <see cref="WebDatasetWriter"/> cuts shards (webdataset's <c>ShardWriter(maxcount, maxsize)</c>).</summary>
/// <param name="OutDir">Folder for the shards and <c>manifest.json</c> (created if missing).</param>
public sealed record WebDatasetWriterOptions(string OutDir)
{
    /// <summary>Samples per shard; the last shard may hold fewer.</summary>
    public int SamplesPerShard { get; init; } = 10_000;

    /// <summary>Start a new shard before one would exceed about this many bytes (0: no limit). A single larger sample
    /// still gets a shard of its own.</summary>
    public long MaxShardBytes { get; init; }

    /// <summary>Shard file name, <c>{0}</c> being the shard number (composite formatting, e.g. <c>{0:D6}</c>).</summary>
    public string NamePattern { get; init; } = "data-{0:D6}.tar";

    /// <summary>Throws with the offending value when shards cannot be cut or named.</summary>
    public WebDatasetWriterOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(OutDir))
            throw new ArgumentException("WebDatasetWriterOptions.OutDir is empty: give the output folder");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SamplesPerShard);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxShardBytes);
        string a, b;
        try
        {
            (a, b) = (ShardName(0), ShardName(1));
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"NamePattern '{NamePattern}' is not a format string with {{0}} for the shard number ({e.Message})", e);
        }
        bool onePlaceholder = string.Format(CultureInfo.InvariantCulture, NamePattern, "\u0001").Count(c => c == '\u0001') == 1;
        if (a == b || !onePlaceholder || NamePattern.Contains("::") || a.IndexOfAny(['/', '\\', '{', '}']) >= 0)
            throw new ArgumentException(
                $"NamePattern '{NamePattern}' must hold {{0}} (the shard number) once and no '/', '::' or other braces, like data-{{0:D6}}.tar");
        return this;
    }

    /// <summary>File name of shard <paramref name="shard"/>.</summary>
    public string ShardName(int shard) => string.Format(CultureInfo.InvariantCulture, NamePattern, shard);
}

/// <summary>
/// Writes samples (key + members by extension) into numbered tar shards that webdataset, open_clip and
/// <see cref="WebDatasetSource"/> read, then <c>manifest.json</c> (<see cref="WebDatasetManifest"/>).
/// Members are written as POSIX ustar regular files (pax for names over 100 bytes) named <c>key.ext</c>, in the order given, with a fixed timestamp
/// (2000-01-01) and mode 0644, so the same samples give byte-identical shards. Not thread-safe: one writer thread.
/// </summary>
public sealed class WebDatasetWriter : IDisposable
{
    static readonly DateTimeOffset FixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    readonly WebDatasetWriterOptions _options;
    readonly List<WebDatasetShardInfo> _shards = [];
    readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    FileStream? _file;
    TarWriter? _tar;
    int _inShard;
    WebDatasetManifest? _manifest;

    /// <summary>Creates the output folder; the first shard is opened by the first <see cref="Write"/>.</summary>
    public WebDatasetWriter(WebDatasetWriterOptions options)
    {
        _options = options.Validate();
        Directory.CreateDirectory(options.OutDir);
    }

    /// <summary>Samples written so far.</summary>
    public int Samples { get; private set; }

    /// <summary>
    /// Appends one sample. <paramref name="key"/> may contain '/' but no '.' in its last segment (webdataset would
    /// cut the key at that dot); keys must be unique. Extensions are lower-case, without a leading dot.
    /// </summary>
    public void Write(string key, IReadOnlyList<(string Extension, byte[] Data)> members)
    {
        ObjectDisposedException.ThrowIf(_manifest is not null, this);
        string last = key[(key.LastIndexOf('/') + 1)..];
        if (last.Length == 0 || last.Contains('.') || key.StartsWith('/'))
            throw new ArgumentException($"sample key '{key}' must be non-empty, relative, and have no '.' in its last segment", nameof(key));
        if (members.Count == 0)
            throw new ArgumentException($"sample '{key}' has no members", nameof(members));
        foreach (var (extension, _) in members)
            if (extension.Length == 0 || extension.StartsWith('.') || extension.Contains('/') || extension != extension.ToLowerInvariant())
                throw new ArgumentException($"sample '{key}': extension '{extension}' must be lower-case, non-empty, without '.' prefix or '/'", nameof(members));
        if (members.Select(m => m.Extension).Distinct().Count() != members.Count)
            throw new ArgumentException($"sample '{key}' lists an extension twice", nameof(members));
        if (!_keys.Add(key))
            throw new ArgumentException($"sample key '{key}' was already written; keys must be unique", nameof(key));

        // Tar cost per member: a 512-byte header plus the data padded to 512 bytes.
        long bytes = members.Sum(m => 512 + (m.Data.Length + 511) / 512 * 512L);
        if (_tar is not null && (_inShard == _options.SamplesPerShard
            || (_options.MaxShardBytes > 0 && _file!.Position + bytes > _options.MaxShardBytes)))
            CloseShard();
        if (_tar is null)
            OpenShard();
        foreach (var (extension, data) in members)
        {
            string name = key + "." + extension;
            // POSIX ustar where the name fits its 100-byte field (readable by every tar, Python's included); pax
            // beyond that. Not GNU: Python's tarfile reads GNU's atime/ctime bytes as a ustar name prefix.
            TarEntry entry = System.Text.Encoding.UTF8.GetByteCount(name) <= 100
                ? new UstarTarEntry(TarEntryType.RegularFile, name)
                : new PaxTarEntry(TarEntryType.RegularFile, name);
            entry.DataStream = new MemoryStream(data, writable: false);
            entry.ModificationTime = FixedTime;
            entry.Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            _tar!.WriteEntry(entry);
        }
        _inShard++;
        Samples++;
    }

    /// <summary>Closes the last shard and writes <c>manifest.json</c> listing <paramref name="skipped"/>; returns it.
    /// Later calls return the same manifest.</summary>
    public WebDatasetManifest Finish(IReadOnlyList<DataError>? skipped = null)
    {
        if (_manifest is not null)
            return _manifest;
        if (_tar is not null)
            CloseShard();
        string pattern = _shards.Count switch
        {
            0 => "",
            1 => _shards[0].Name,
            _ => RangePattern(_shards.Count),
        };
        _manifest = new WebDatasetManifest(pattern, [.. _shards], Samples, _shards.Sum(s => s.Bytes), skipped ?? []);
        _manifest.Write(Path.Combine(_options.OutDir, WebDatasetManifest.FileName));
        return _manifest;
    }

    /// <summary>Finishes (closing the shard and writing the manifest) if <see cref="Finish"/> was not called.</summary>
    public void Dispose() => Finish();

    void OpenShard()
    {
        string path = Path.Combine(_options.OutDir, _options.ShardName(_shards.Count));
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _tar = new TarWriter(_file, TarEntryFormat.Ustar, leaveOpen: true);
        _inShard = 0;
    }

    void CloseShard()
    {
        _tar!.Dispose(); // writes the two zero blocks that end a tar archive
        long length = _file!.Length;
        _file.Dispose();
        _shards.Add(new WebDatasetShardInfo(_options.ShardName(_shards.Count), _inShard, length));
        (_tar, _file) = (null, null);
    }

    /// <summary><c>data-{000000..000004}.tar</c>: the name pattern with the number replaced by a brace range.</summary>
    string RangePattern(int count)
    {
        const string Marker = "\u0001";
        string template = string.Format(CultureInfo.InvariantCulture, _options.NamePattern, Marker);
        int at = template.IndexOf(Marker, StringComparison.Ordinal);
        string prefix = template[..at], suffix = template[(at + Marker.Length)..];
        string Number(int i) => _options.ShardName(i)[prefix.Length..^suffix.Length];
        return prefix + "{" + Number(0) + ".." + Number(count - 1) + "}" + suffix;
    }
}
