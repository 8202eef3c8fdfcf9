using System.Text;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>
/// The byte layout of a checkpoint: magic, JSON metadata, named tensors (TorchSharp's tensor encoding), and a footer
/// with the total length, so a file cut short by a crash is recognised as damaged rather than half-loaded.
/// Written atomically: temporary file, flush to disk, rename.
/// </summary>
internal static class CheckpointFile
{
    private static readonly byte[] Magic = "CLIPUPCK"u8.ToArray();
    private static readonly byte[] Footer = "CLIPEND!"u8.ToArray();

    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, JsonObject meta)
    {
        var tmp = path + ".tmp";
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Magic);
                var json = Encoding.UTF8.GetBytes(meta.ToJsonString());
                w.Write(json.Length);
                w.Write(json);
                w.Write(tensors.Count);
                foreach (var (name, t) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.Write(name);
                    using var cpu = t.detach().cpu().contiguous();
                    cpu.Save(w);
                }
                w.Write(Footer);
                w.Write(stream.Position + sizeof(long));
                w.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(tmp)) File.Delete(tmp);
            throw;
        }
    }

    public static (Dictionary<string, Tensor> Tensors, JsonObject Meta) Read(string path)
    {
        if (!IsComplete(path, out var reason)) throw new InvalidDataException($"checkpoint {path} is damaged: {reason}");
        using var r = new BinaryReader(File.OpenRead(path));
        var meta = ReadHeader(r, path);
        int count = r.ReadInt32();
        var tensors = new Dictionary<string, Tensor>(count);
        for (int i = 0; i < count; i++)
        {
            string name = r.ReadString();
            tensors[name] = torch.Tensor.Load(r);
        }
        return (tensors, meta);
    }

    public static JsonObject ReadMetadata(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        return ReadHeader(r, path);
    }

    /// <summary>True when the file has the magic, the footer and the length the footer records.</summary>
    public static bool IsComplete(string path, out string reason)
    {
        var info = new FileInfo(path);
        if (!info.Exists) { reason = "file not found"; return false; }
        if (info.Length < Magic.Length + Footer.Length + 12) { reason = $"only {info.Length} bytes"; return false; }
        using var s = File.OpenRead(path);
        var head = new byte[Magic.Length];
        s.ReadExactly(head);
        if (!head.AsSpan().SequenceEqual(Magic)) { reason = "not a ClipUp checkpoint (bad magic)"; return false; }
        s.Seek(-(Footer.Length + sizeof(long)), SeekOrigin.End);
        var tail = new byte[Footer.Length + sizeof(long)];
        s.ReadExactly(tail);
        if (!tail.AsSpan(0, Footer.Length).SequenceEqual(Footer)) { reason = "truncated (no end marker): the write was interrupted"; return false; }
        long recorded = BitConverter.ToInt64(tail, Footer.Length);
        if (recorded != info.Length) { reason = $"length {info.Length} differs from the recorded {recorded}"; return false; }
        reason = "";
        return true;
    }

    private static JsonObject ReadHeader(BinaryReader r, string path)
    {
        if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a ClipUp checkpoint (bad magic)");
        int len = r.ReadInt32();
        return JsonNode.Parse(r.ReadBytes(len))?.AsObject() ?? throw new InvalidDataException($"{path}: empty metadata");
    }
}
