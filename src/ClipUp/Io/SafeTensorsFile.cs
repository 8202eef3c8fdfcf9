using System.IO.MemoryMappedFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Io;

/// <summary>
/// An open safetensors file, memory-mapped read-only. The header is parsed and validated on <see cref="Open"/>; tensor
/// bytes are touched only when <see cref="Read"/> copies one tensor out, so reading a few tensors of a large checkpoint
/// costs only their pages. Tensors returned are fresh CPU tensors owned by the caller and stay valid after Dispose.
/// </summary>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly Dictionary<string, SafeTensorInfo> _byName;
    private byte* _base;

    /// <summary>The path as given to <see cref="Open"/>; error messages name it.</summary>
    public string Path { get; }

    public SafeTensorsHeader Header { get; }

    /// <summary>Tensor names in ordinal order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The string pairs under <c>__metadata__</c> (empty when the header has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

    private SafeTensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePtr, SafeTensorsHeader header)
    {
        (Path, _map, _view, Header) = (path, map, view, header);
        _base = basePtr;
        _byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Names = header.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Maps <paramref name="path"/> and validates its header; throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static SafeTensorsFile Open(string path)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; this reader does not byte-swap on big-endian hosts");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} does not exist", path);

        long length = new FileInfo(path).Length;
        if (length < 8)
            SafeTensorsHeader.CheckLengthPrefix(path, length, default);   // throws with the "fewer than 8 bytes" message

        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        byte* ptr = null;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
            ptr += view.PointerOffset;
            long n = SafeTensorsHeader.CheckLengthPrefix(path, length, new ReadOnlySpan<byte>(ptr, 8));
            var header = SafeTensorsHeader.Parse(path, new ReadOnlySpan<byte>(ptr + 8, checked((int)n)), length - 8 - n);
            return new SafeTensorsFile(path, map, view, ptr, header);
        }
        catch
        {
            if (ptr != null) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The header entry of <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> naming the file.</summary>
    public SafeTensorInfo Info(string name) =>
        _byName.TryGetValue(name, out var info) ? info
            : throw new KeyNotFoundException($"{Path} has no tensor '{name}' ({_byName.Count} tensors; first: {string.Join(", ", Names.Take(5))})");

    /// <summary>Copies one tensor out of the map into a new CPU tensor of the file's dtype and shape.</summary>
    public Tensor Read(string name)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        var info = Info(name);
        if (info.ByteLength > int.MaxValue)
            throw new NotSupportedException($"{Path}: tensor '{name}' has {info.ByteLength} bytes; TorchSharp's byte span is limited to 2 GiB per tensor");
        var t = torch.empty(info.Shape, info.ScalarType);
        if (info.ByteLength > 0)
            new ReadOnlySpan<byte>(_base + Header.DataStart + info.Begin, (int)info.ByteLength).CopyTo(t.bytes);
        return t;
    }

    /// <summary>All tensors, keyed by name.</summary>
    public Dictionary<string, Tensor> ReadAll() => Names.ToDictionary(n => n, Read, StringComparer.Ordinal);

    public void Dispose()
    {
        if (_base == null) return;
        _base = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
