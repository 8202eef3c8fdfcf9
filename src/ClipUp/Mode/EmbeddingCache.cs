using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>
/// Caption embeddings cached on disk, keyed by SHA-256 over (embedder name, caption count, every caption as
/// length-prefixed UTF-8). The file is an <see cref="EmbeddingFile"/> named <c>{name-slug}-{key[0..16]}.emb</c> whose
/// header repeats the full key; a mismatch (hash prefix collision, stale file) recomputes. Embedding a large corpus is
/// the slow part of MoDE's pipeline, and clustering sweeps reuse it.
/// </summary>
public static class EmbeddingCache
{
    /// <summary>The 32-byte cache key of (embedder name, captions).</summary>
    public static byte[] Key(string embedderName, IReadOnlyList<string> captions)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            sha.AppendData(BitConverter.GetBytes(bytes.Length));
            sha.AppendData(bytes);
        }
        Add(embedderName);
        sha.AppendData(BitConverter.GetBytes((long)captions.Count));
        foreach (var c in captions) Add(c);
        return sha.GetHashAndReset();
    }

    /// <summary>Where <see cref="GetOrCompute"/> keeps the embeddings of these captions.</summary>
    public static string PathFor(string directory, string embedderName, IReadOnlyList<string> captions)
    {
        var slug = new string(embedderName.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-').ToArray());
        if (slug.Length > 48) slug = slug[..48];
        return Path.Combine(directory, $"{slug}-{Convert.ToHexStringLower(Key(embedderName, captions))[..16]}.emb");
    }

    /// <summary>
    /// Returns the path of a file holding the embeddings [N, D] of <paramref name="captions"/>, computing them
    /// <paramref name="batchSize"/> captions at a time (streamed to disk, never all in memory) when absent or stale.
    /// Read it with <see cref="EmbeddingFile.Read"/> or <see cref="EmbeddingFile.ReadBatches"/>.
    /// </summary>
    public static string GetOrCompute(ICaptionEmbedder embedder, IReadOnlyList<string> captions, string directory, int batchSize = 4096)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize {batchSize} must be positive");
        Directory.CreateDirectory(directory);
        var key = Key(embedder.Name, captions);
        var path = PathFor(directory, embedder.Name, captions);
        if (File.Exists(path))
        {
            try
            {
                var header = EmbeddingFile.ReadHeader(path);
                if (header.Key.AsSpan().SequenceEqual(key) && header.Rows == captions.Count && header.Dimension == embedder.Dimension)
                    return path;
            }
            catch (InvalidDataException)
            {
                // A corrupt cache entry is recomputed below.
            }
        }
        IEnumerable<Tensor> Batches()
        {
            for (var start = 0; start < captions.Count; start += batchSize)
            {
                var len = Math.Min(batchSize, captions.Count - start);
                var slice = new string[len];
                for (var i = 0; i < len; i++) slice[i] = captions[start + i];
                yield return embedder.Embed(slice).cpu();
            }
        }
        EmbeddingFile.Write(path, captions.Count, embedder.Dimension, key, Batches());
        return path;
    }

    /// <summary>Convenience: <see cref="GetOrCompute"/> then read everything, float32 [N, D] on the CPU.</summary>
    public static Tensor Embed(ICaptionEmbedder embedder, IReadOnlyList<string> captions, string directory, int batchSize = 4096) =>
        EmbeddingFile.Read(GetOrCompute(embedder, captions, directory, batchSize));
}
