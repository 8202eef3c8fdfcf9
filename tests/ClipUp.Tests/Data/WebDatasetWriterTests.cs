using System.Text;
using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class WebDatasetWriterTests
{
    [Fact]
    public void ShardsHoldAtMostSamplesPerShardAndTheManifestCountsThem()
    {
        // 23 samples, 5 per shard: 5 + 5 + 5 + 5 + 3 in data-000000.tar .. data-000004.tar.
        using var dir = new TempDir();
        var manifest = TestShards.Write(dir.Path, count: 23, perShard: 5);
        Assert.Equal("data-{000000..000004}.tar", manifest.Pattern);
        Assert.Equal([5, 5, 5, 5, 3], manifest.Shards.Select(s => s.Samples));
        Assert.Equal(23, manifest.Samples);
        Assert.All(manifest.Shards, s => Assert.Equal(new FileInfo(dir.File(s.Name)).Length, s.Bytes));
        Assert.Equal(manifest.Shards.Sum(s => s.Bytes), manifest.Bytes);
        // A tar is a sequence of 512-byte blocks.
        Assert.All(manifest.Shards, s => Assert.Equal(0, s.Bytes % 512));

        var read = WebDatasetManifest.Read(dir.File(WebDatasetManifest.FileName));
        Assert.Equal(manifest.Pattern, read.Pattern);
        Assert.Equal(manifest.Shards, read.Shards);
        Assert.Equal(manifest.Bytes, read.Bytes);
    }

    [Fact]
    public void TheSameSamplesGiveByteIdenticalShards()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        TestShards.Write(a.Path, 7, 4);
        TestShards.Write(b.Path, 7, 4);
        foreach (var name in new[] { "data-000000.tar", "data-000001.tar", "manifest.json" })
            Assert.Equal(File.ReadAllBytes(a.File(name)), File.ReadAllBytes(b.File(name)));
    }

    [Fact]
    public void MaxShardBytesStartsANewShardBeforeTheLimit()
    {
        // Each sample: two members of 512-byte header + 1,024 bytes of data = 3,072 bytes; 7,000 fits two.
        using var dir = new TempDir();
        using var writer = new WebDatasetWriter(new WebDatasetWriterOptions(dir.Path) { MaxShardBytes = 7_000, NamePattern = "part-{0}.tar" });
        for (int i = 0; i < 5; i++)
            writer.Write($"k{i}", [("bin", new byte[1024]), ("txt", new byte[1000])]);
        var manifest = writer.Finish();
        Assert.Equal([2, 2, 1], manifest.Shards.Select(s => s.Samples));
        Assert.Equal("part-{0..2}.tar", manifest.Pattern);
    }

    [Theory]
    [InlineData("a.b", "no '.' in its last segment")]
    [InlineData("", "non-empty")]
    [InlineData("/abs", "relative")]
    public void KeysThatWebdatasetWouldSplitDifferentlyAreRefused(string key, string message)
    {
        using var dir = new TempDir();
        using var writer = new WebDatasetWriter(new WebDatasetWriterOptions(dir.Path));
        var e = Assert.Throws<ArgumentException>(() => writer.Write(key, [("txt", "x"u8.ToArray())]));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ADuplicateKeyIsRefused()
    {
        using var dir = new TempDir();
        using var writer = new WebDatasetWriter(new WebDatasetWriterOptions(dir.Path));
        writer.Write("dir/k1", [("txt", Encoding.UTF8.GetBytes("one"))]);
        var e = Assert.Throws<ArgumentException>(() => writer.Write("dir/k1", [("txt", Encoding.UTF8.GetBytes("two"))]));
        Assert.Contains("'dir/k1' was already written", e.Message);
    }

    [Theory]
    [InlineData("data.tar")]
    [InlineData("a/{0}.tar")]
    [InlineData("{0}-{0}.tar")]
    public void ANamePatternWithoutOneShardNumberIsRefused(string pattern)
    {
        var e = Assert.Throws<ArgumentException>(() => new WebDatasetWriterOptions("out") { NamePattern = pattern }.Validate());
        Assert.Contains(pattern, e.Message);
    }
}
