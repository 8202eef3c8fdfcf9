using System.Text.Json;
using static TorchSharp.torch;

namespace ClipUp.Io;

/// <summary>One tensor entry of a safetensors header. Offsets are relative to the start of the data section.</summary>
public sealed record SafeTensorInfo(string Name, string DType, ScalarType ScalarType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;

    /// <summary>The shape as PyTorch prints it, for messages: <c>[768, 512]</c>, <c>[]</c> for a scalar.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}

/// <summary>
/// The parsed and validated JSON header of a safetensors file (format: 8-byte little-endian header length N, N bytes of
/// UTF-8 JSON, then the data section). <see cref="Parse"/> checks everything a reader relies on, so a tensor that parses
/// can be copied out without further bounds checks.
/// </summary>
public sealed record SafeTensorsHeader(IReadOnlyList<SafeTensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata, long HeaderLength)
{
    /// <summary>The key that holds free-form string metadata instead of a tensor.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Headers above this size are refused; the Python safetensors library uses the same 100 MB bound.</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>Byte offset of the data section from the start of the file.</summary>
    public long DataStart => 8 + HeaderLength;

    /// <summary>
    /// Validates the length prefix against the file size. <paramref name="file"/> names the file in messages.
    /// </summary>
    public static long CheckLengthPrefix(string file, long fileLength, ReadOnlySpan<byte> first8)
    {
        if (fileLength < 8)
            throw new InvalidDataException(
                $"{file} is not a safetensors file: it has {fileLength} bytes, fewer than the 8-byte header length prefix");
        ulong n = BitConverter.ToUInt64(first8);   // safetensors is little-endian; ClipUp only runs on little-endian hosts
        if (n > (ulong)(fileLength - 8))
            throw new InvalidDataException(
                $"{file} is truncated or not a safetensors file: its first 8 bytes declare a {n}-byte header, but only {fileLength - 8} bytes follow");
        if ((long)n > MaxHeaderLength)
            throw new InvalidDataException(
                $"{file} declares a {n}-byte header, above the {MaxHeaderLength}-byte limit; the file is corrupt or not safetensors");
        return (long)n;
    }

    /// <summary>
    /// Parses the JSON header and checks every entry against a data section of <paramref name="dataLength"/> bytes:
    /// known dtype, non-negative shape, offsets ordered and inside the data section, byte span equal to shape × dtype size,
    /// and no two tensors overlapping. Gaps and trailing bytes are accepted (they change no tensor's meaning).
    /// </summary>
    public static SafeTensorsHeader Parse(string file, ReadOnlySpan<byte> json, long dataLength)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray());
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{file} has a header that is not valid JSON ({e.Message}); the file is corrupt or not safetensors", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{file} has a JSON header that is a {root.ValueKind}, not an object of tensor entries");

            var tensors = new List<SafeTensorInfo>();
            var metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in root.EnumerateObject())
            {
                if (!seen.Add(prop.Name))
                    throw new InvalidDataException($"{file} has a header that names '{prop.Name}' twice");
                if (prop.Name == MetadataKey)
                    ReadMetadata(file, prop.Value, metadata);
                else
                    tensors.Add(ReadEntry(file, prop.Name, prop.Value, dataLength));
            }
            CheckNoOverlap(file, tensors);
            return new SafeTensorsHeader(tensors, metadata, json.Length);
        }
    }

    private static void ReadMetadata(string file, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{file}: '{MetadataKey}' must be an object of strings, but it is a {value.ValueKind}");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{file}: metadata '{m.Name}' must be a string, but it is a {m.Value.ValueKind}");
            metadata[m.Name] = m.Value.GetString()!;
        }
    }

    private static SafeTensorInfo ReadEntry(string file, string name, JsonElement entry, long dataLength)
    {
        string where = $"{file}: tensor '{name}'";
        if (entry.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{where} must be an object with dtype, shape and data_offsets, but it is a {entry.ValueKind}");
        string? dtype = null;
        long[]? shape = null, offsets = null;
        foreach (var f in entry.EnumerateObject())
        {
            switch (f.Name)
            {
                case "dtype":
                    if (f.Value.ValueKind != JsonValueKind.String)
                        throw new InvalidDataException($"{where} has a dtype that is a {f.Value.ValueKind}, not a string such as \"F32\"");
                    dtype = f.Value.GetString();
                    break;
                case "shape": shape = ReadLongs(where, "shape", f.Value); break;
                case "data_offsets": offsets = ReadLongs(where, "data_offsets", f.Value); break;
                default: throw new InvalidDataException($"{where} has an unexpected field '{f.Name}' (expected dtype, shape, data_offsets)");
            }
        }
        if (dtype is null || shape is null || offsets is null)
            throw new InvalidDataException($"{where} lacks {(dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets")}");
        if (!SafeTensorsDType.TryParse(dtype, out var scalarType, out int size, out string reason))
            throw new InvalidDataException($"{where} has {reason}");
        if (offsets.Length != 2)
            throw new InvalidDataException($"{where} has data_offsets with {offsets.Length} numbers; expected [begin, end]");

        long begin = offsets[0], end = offsets[1];
        string span = $"data_offsets [{begin}, {end}]";
        if (end < begin)
            throw new InvalidDataException($"{where} has {span} that end before they begin");
        long expected = size;
        try
        {
            foreach (long d in shape) expected = checked(expected * d);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{where} has shape [{string.Join(", ", shape)}] whose byte size overflows a 64-bit integer");
        }
        if (end - begin != expected)
            throw new InvalidDataException(
                $"{where} has shape [{string.Join(", ", shape)}] of {dtype} ({expected} bytes) but {span} span {end - begin} bytes");
        if (end > dataLength)
            throw new InvalidDataException(
                $"{file} is truncated: tensor '{name}' ends at byte {end} but the data section has {dataLength} bytes; re-download or re-export the file");
        return new SafeTensorInfo(name, dtype, scalarType, shape, begin, end);
    }

    private static long[] ReadLongs(string where, string field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where} has a {field} that is a {value.ValueKind}, not an array of integers");
        var result = new long[value.GetArrayLength()];
        int i = 0;
        foreach (var e in value.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v) || v < 0)
                throw new InvalidDataException($"{where} has {field} element {i} = {e.GetRawText()}, not a non-negative integer");
            result[i++] = v;
        }
        return result;
    }

    private static void CheckNoOverlap(string file, List<SafeTensorInfo> tensors)
    {
        // Empty tensors occupy no bytes, so they cannot overlap anything even when their offsets sit inside another span.
        var byStart = tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.Begin).ToList();
        for (int i = 1; i < byStart.Count; i++)
        {
            var (a, b) = (byStart[i - 1], byStart[i]);
            if (b.Begin < a.End)
                throw new InvalidDataException(
                    $"{file} has overlapping tensors: '{a.Name}' spans bytes [{a.Begin}, {a.End}) and '{b.Name}' starts at byte {b.Begin}; the header is corrupt");
        }
    }
}
