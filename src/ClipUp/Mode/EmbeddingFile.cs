using System.Runtime.InteropServices;
using System.Text;
using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>Header of an embedding file.</summary>
/// <param name="Rows">N.</param>
/// <param name="Dimension">D.</param>
/// <param name="Key">32-byte key the writer chose (the cache stores its SHA-256 key here; zeros when unused).</param>
public sealed record EmbeddingFileHeader(long Rows, int Dimension, byte[] Key);

/// <summary>
/// A flat file of float32 embeddings that can be read back in row ranges, so clustering can stream data larger than
/// memory. Layout (little-endian): bytes 0–7 "CLIPUPEM"; int32 version (1); int32 dtype (1 = float32); int64 N;
/// int64 D; 32-byte key; then N·D float32 in row-major order from byte 64. Deliberately simpler than safetensors
/// (which TorchSharp lacks): one tensor, fixed 64-byte header, rows addressable by offset.
/// </summary>
public static class EmbeddingFile
{
    public const int HeaderBytes = 64;
    private const string Magic = "CLIPUPEM";
    private const int Version = 1;
    private const int Float32Code = 1;

    /// <summary>Writes embeddings [N, D] (any float dtype and device; stored as float32).</summary>
    public static void Write(string path, Tensor embeddings, byte[]? key = null)
    {
        if (embeddings.dim() != 2) throw new ArgumentException($"embeddings must be [N, D], got [{string.Join(", ", embeddings.shape)}]");
        Write(path, embeddings.shape[0], (int)embeddings.shape[1], key, [embeddings]);
    }

    /// <summary>
    /// Streams batches [N_b, D] into a file that must end up with exactly <paramref name="rows"/> rows. Written to
    /// <c>path.tmp</c> and renamed, so a crash never leaves a truncated file under the final name.
    /// </summary>
    public static void Write(string path, long rows, int dimension, byte[]? key, IEnumerable<Tensor> batches)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("embedding files are little-endian; this machine is big-endian");
        key ??= new byte[32];
        if (key.Length != 32) throw new ArgumentException($"embedding file key must be 32 bytes, got {key.Length}");
        var tmp = path + ".tmp";
        long written = 0;
        using (var stream = File.Create(tmp))
        {
            using (var w = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: true))
            {
                w.Write(Encoding.ASCII.GetBytes(Magic));
                w.Write(Version);
                w.Write(Float32Code);
                w.Write(rows);
                w.Write((long)dimension);
                w.Write(key);
            }
            using var batch = batches.GetEnumerator();
            while (true)
            {
                using var scope = NewDisposeScope();   // open while MoveNext embeds, so lazily made batches are freed
                if (!batch.MoveNext()) break;
                var b = batch.Current;
                if (b.dim() != 2 || b.shape[1] != dimension)
                    throw new ArgumentException($"batch must be [N, {dimension}], got [{string.Join(", ", b.shape)}]");
                var cpu = b.detach().to(ScalarType.Float32).cpu().contiguous();
                stream.Write(MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()));
                written += b.shape[0];
            }
        }
        if (written != rows)
        {
            File.Delete(tmp);
            throw new ArgumentException($"embedding file {path} expected {rows} rows but the batches held {written}");
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads and checks the 64-byte header.</summary>
    public static EmbeddingFileHeader ReadHeader(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        return ReadHeader(r, path);
    }

    /// <summary>Rows [start, start + count) as float32 [count, D] on the CPU.</summary>
    public static Tensor ReadRows(string path, long start, long count)
    {
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream);
        var header = ReadHeader(r, path);
        if (start < 0 || count < 0 || start + count > header.Rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) are outside the {header.Rows} rows of {path}");
        stream.Seek(HeaderBytes + start * header.Dimension * sizeof(float), SeekOrigin.Begin);
        var values = new float[count * header.Dimension];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return tensor(values, [count, header.Dimension]);
    }

    /// <summary>All rows as float32 [N, D] on the CPU.</summary>
    public static Tensor Read(string path) => ReadRows(path, 0, ReadHeader(path).Rows);

    /// <summary>Lazily reads the file <paramref name="batchRows"/> rows at a time (the last batch may be shorter).</summary>
    public static IEnumerable<Tensor> ReadBatches(string path, long batchRows)
    {
        if (batchRows <= 0) throw new ArgumentOutOfRangeException(nameof(batchRows), $"batchRows {batchRows} must be positive");
        var rows = ReadHeader(path).Rows;
        for (long start = 0; start < rows; start += batchRows)
            yield return ReadRows(path, start, Math.Min(batchRows, rows - start));
    }

    private static EmbeddingFileHeader ReadHeader(BinaryReader r, string path)
    {
        var magic = Encoding.ASCII.GetString(r.ReadBytes(Magic.Length));
        if (magic != Magic) throw new InvalidDataException($"{path} is not a ClipUp embedding file (magic '{magic}', expected '{Magic}')");
        var version = r.ReadInt32();
        var dtype = r.ReadInt32();
        if (version != Version || dtype != Float32Code)
            throw new InvalidDataException($"{path} has embedding format version {version} dtype {dtype}; this build reads version {Version} float32");
        var rows = r.ReadInt64();
        var dim = r.ReadInt64();
        var key = r.ReadBytes(32);
        var expected = HeaderBytes + rows * dim * sizeof(float);
        if (r.BaseStream.Length != expected)
            throw new InvalidDataException($"{path} holds {r.BaseStream.Length} bytes but its header ({rows} × {dim}) needs {expected}: the file is truncated or corrupt");
        return new EmbeddingFileHeader(rows, (int)dim, key);
    }
}
