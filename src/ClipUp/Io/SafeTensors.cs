using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Io;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
/// length N, N bytes of UTF-8 JSON <c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}</c>
/// padded with spaces to a multiple of 8, then the tensors' bytes, offsets relative to the start of that data section.
/// ClipUp writes tensors in ordinal key order, contiguous, without gaps.
/// </summary>
public static class SafeTensors
{
    /// <summary>Opens a file for lazy, memory-mapped reading (see <see cref="SafeTensorsFile"/>).</summary>
    public static SafeTensorsFile Open(string path) => SafeTensorsFile.Open(path);

    /// <summary>Reads every tensor of a file into new CPU tensors.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        return file.ReadAll();
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device; copied to CPU one at a time) atomically: the bytes go to
    /// <c>path.tmp</c>, which is flushed to disk and then renamed over <paramref name="path"/>. If anything throws, the
    /// temporary file is deleted and an existing file at <paramref name="path"/> is left untouched.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToArray();
        var header = BuildHeader(names, tensors, metadata);   // throws for unsupported dtypes before any file is created
        string tmp = path + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                fs.Write(prefix);
                fs.Write(header);
                foreach (var name in names)
                    WriteData(fs, name, tensors[name]);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    private static void WriteData(FileStream fs, string name, Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var (_, size) = SafeTensorsDType.FromScalarType(tensor.dtype);
        long expected = tensor.numel() * size;
        if (expected == 0) return;
        if (expected > int.MaxValue)
            throw new NotSupportedException($"tensor '{name}' has {expected} bytes; TorchSharp's byte span is limited to 2 GiB per tensor");
        var cpu = tensor.detach().cpu().contiguous();
        fs.Write(cpu.bytes);
    }

    /// <summary>The padded JSON header for <paramref name="names"/> laid out back to back in that order.</summary>
    internal static byte[] BuildHeader(IReadOnlyList<string> names, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var name in names)
            {
                if (name.Length == 0 || name == SafeTensorsHeader.MetadataKey)
                    throw new ArgumentException($"tensor name '{name}' is reserved or empty: rename the tensor");
                var t = tensors[name];
                var (dtype, size) = SafeTensorsDType.FromScalarType(t.dtype);
                long bytes = t.numel() * size;
                w.WriteStartObject(name);
                w.WriteString("dtype", dtype);
                w.WriteStartArray("shape");
                foreach (long d in t.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        // The format pads the header with spaces so the data section starts 8-byte aligned. Tensors after it follow in key
        // order, so they may be unaligned; readers (ours included) copy bytes out rather than aliasing the map.
        int padded = (int)((ms.Length + 7) / 8 * 8);
        var header = new byte[padded];
        ms.ToArray().CopyTo(header, 0);
        header.AsSpan((int)ms.Length).Fill((byte)' ');
        return header;
    }
}
