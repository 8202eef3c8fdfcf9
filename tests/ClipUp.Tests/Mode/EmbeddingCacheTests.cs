using ClipUp.Mode;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public sealed class EmbeddingCacheTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"clipup-emb-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    /// <summary>Embeds caption i as a one-hot-ish unit vector from its length and counts how many captions it saw.</summary>
    private sealed class CountingEmbedder : ICaptionEmbedder
    {
        public int Seen { get; private set; }
        public string Name => "counting";
        public int Dimension => 4;

        public Tensor Embed(IReadOnlyList<string> captions)
        {
            Seen += captions.Count;
            var rows = captions.SelectMany(c => { var v = new float[4]; v[c.Length % 4] = 1; return v; }).ToArray();
            return tensor(rows, [captions.Count, 4]);
        }
    }

    [Fact]
    public void TheSecondCallReadsTheCacheInsteadOfEmbeddingAgain()
    {
        var embedder = new CountingEmbedder();
        string[] captions = ["a", "bb", "ccc", "dddd", "eeeee"];
        var first = EmbeddingCache.Embed(embedder, captions, dir, batchSize: 2);
        var second = EmbeddingCache.Embed(embedder, captions, dir, batchSize: 2);
        Assert.Equal(5, embedder.Seen);
        Assert.True(first.Equals(second));
        Assert.True(first.Equals(embedder.Embed(captions)));
    }

    [Fact]
    public void OtherCaptionsOrAnotherEmbedderGetAnotherKey()
    {
        string[] captions = ["a", "b"];
        var key = EmbeddingCache.Key("counting", captions);
        Assert.Equal(32, key.Length);
        Assert.NotEqual(key, EmbeddingCache.Key("counting", ["a", "c"]));
        Assert.NotEqual(key, EmbeddingCache.Key("other", captions));
        // Length prefixes keep ["ab"] and ["a", "b"] apart.
        Assert.NotEqual(EmbeddingCache.Key("counting", ["ab"]), EmbeddingCache.Key("counting", ["a", "b"]));
    }

    [Fact]
    public void EmbeddingFilesStreamInRowRanges()
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "x.emb");
        var x = arange(21f).view(7, 3);
        EmbeddingFile.Write(path, x);
        Assert.Equal(EmbeddingFile.HeaderBytes + 7 * 3 * 4, new FileInfo(path).Length);
        Assert.True(EmbeddingFile.ReadRows(path, 2, 3).Equals(x.narrow(0, 2, 3)));
        var batches = EmbeddingFile.ReadBatches(path, 3).ToArray();
        Assert.Equal([3L, 3, 1], batches.Select(b => b.shape[0]));
        Assert.True(cat(batches).Equals(x));
    }

    [Fact]
    public void ATruncatedFileIsReportedNotMisread()
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "x.emb");
        EmbeddingFile.Write(path, ones(4, 2));
        using (var f = File.OpenWrite(path)) f.SetLength(f.Length - 4);
        var e = Assert.Throws<InvalidDataException>(() => EmbeddingFile.Read(path));
        Assert.Contains("truncated", e.Message);
    }
}
