using System.Text;
using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class WebDatasetSourceTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static WebDatasetSource Source(string dir) => new(WebDatasetOptions.FromManifest(Path.Combine(dir, WebDatasetManifest.FileName)));

    [Fact]
    public void ShardsReadBackInWriteOrderWithTheirPixels()
    {
        using var dir = new TempDir();
        TestShards.Write(dir.Path, count: 23, perShard: 5);
        var source = Source(dir.Path);
        Assert.Equal(5, source.Shards.Count);
        Assert.Equal(23, source.Count);
        Assert.Equal(23, source.Samples);
        for (int i = 0; i < 23; i++)
        {
            Assert.Equal(TestShards.Caption(i), source[i].Caption);
            Assert.Equal($"{source.Shards[i / 5]}#s{i:D3}", source[i].Image);
            Assert.Empty(source[i].Attributes); // no json member
            Assert.Equal(TestShards.Image(i).Pixels, source.LoadImage(i, new ImageDecoderOptions()).Pixels); // PNG is lossless
        }
        Assert.Empty(source.Skipped);
    }

    [Fact]
    public void TheLoaderShufflesTheIndexedShardsDeterministicallyForASeed()
    {
        using var dir = new TempDir();
        TestShards.Write(dir.Path, count: 23, perShard: 5);
        var source = Source(dir.Path);
        int[] Order(int seed, int epoch)
        {
            var config = LoaderConfig.Train(batchSize: 4, seed) with { DropLast = false, Augment = false, Workers = 2 };
            var loader = new ImageTextLoader(source, config, new ImageTransformConfig(8));
            return [.. loader.ReadEpoch(epoch, cancel: Ct).SelectMany(b => b.Captions).Select(TestShards.Number)];
        }
        var first = Order(seed: 1, epoch: 0);
        Assert.Equal(first, Order(seed: 1, epoch: 0));
        Assert.NotEqual(first, Order(seed: 2, epoch: 0));
        Assert.NotEqual(first, Order(seed: 1, epoch: 1));
        Assert.NotEqual(Enumerable.Range(0, 23), first);
        Assert.Equal(Enumerable.Range(0, 23), first.Order());
    }

    [Fact]
    public void TheJsonCaptionFieldIsConfigurableAndOtherFieldsBecomeAttributes()
    {
        using var dir = new TempDir();
        using (var writer = new WebDatasetWriter(new WebDatasetWriterOptions(dir.Path)))
        {
            byte[] png = TestImages.Png(TestShards.Image(1));
            writer.Write("a", [("jpg", png), ("json", Encoding.UTF8.GetBytes("""{"text": "a red square", "url": "http://x/a.jpg", "width": 8, "tags": ["x"]}"""))]);
            writer.Write("b", [("jpg", png), ("json", Encoding.UTF8.GetBytes("""{"text": ["first", " ", "second"]}"""))]);
        }
        string shards = Path.Combine(dir.Path, "data-000000.tar");

        // The default field "caption" is absent: every sample is skipped, and the error lists the fields found.
        var e = Assert.Throws<InvalidDataException>(() => new WebDatasetSource(new WebDatasetOptions(shards)));
        Assert.Contains("no 'caption' field (found: text, url, width, tags)", e.Message);
        Assert.Contains("JsonCaptionField", e.Message);

        var source = new WebDatasetSource(new WebDatasetOptions(shards) { JsonCaptionField = "text" });
        // "a": one caption; "b": an array of three of which one is blank, so two rows that share the image.
        Assert.Equal(["a red square", "first", "second"], Enumerable.Range(0, source.Count).Select(i => source[i].Caption));
        Assert.Equal(2, source.Samples);
        Assert.Equal(1, source.Report.EmptyCaptionsSkipped);
        Assert.Equal(source[1].Image, source[2].Image);
        Assert.Equal("http://x/a.jpg", source[0].Attributes["url"]);
        Assert.Equal("8", source[0].Attributes["width"]);
        Assert.False(source[0].Attributes.ContainsKey("tags"));
        // The loader sees two images, each with its own captions.
        var loader = new ImageTextLoader(source, LoaderConfig.Train(1, seed: 0) with { OneCaptionPerImage = true }, new ImageTransformConfig(8));
        Assert.Equal(2, loader.SamplesPerEpoch);
    }

    [Fact]
    public void TxtIsPreferredToJsonUnlessTheOrderSaysOtherwise()
    {
        using var dir = new TempDir();
        using (var writer = new WebDatasetWriter(new WebDatasetWriterOptions(dir.Path)))
            writer.Write("a", [("png", TestImages.Png(TestShards.Image(0))), ("txt", "from txt"u8.ToArray()), ("json", """{"caption": "from json"}"""u8.ToArray())]);
        string shards = Path.Combine(dir.Path, "data-000000.tar");
        Assert.Equal("from txt", new WebDatasetSource(new WebDatasetOptions(shards))[0].Caption);
        Assert.Equal("from json", new WebDatasetSource(new WebDatasetOptions(shards) { CaptionExtensions = ["json", "txt"] })[0].Caption);
    }

    [Fact]
    public void SamplesWithoutAnImageOrACaptionAreSkippedAndListed()
    {
        using var dir = new TempDir();
        using (var writer = new WebDatasetWriter(new WebDatasetWriterOptions(dir.Path)))
        {
            writer.Write("good", [("png", TestImages.Png(TestShards.Image(0))), ("txt", "ok"u8.ToArray())]);
            writer.Write("textonly", [("txt", "no image"u8.ToArray()), ("cls", "3"u8.ToArray())]);
            writer.Write("imageonly", [("webp", new byte[10])]);
        }
        var source = new WebDatasetSource(new WebDatasetOptions(Path.Combine(dir.Path, "data-000000.tar")));
        Assert.Equal(1, source.Count);
        Assert.Equal(2, source.Skipped.Count);
        Assert.EndsWith("#textonly", source.Skipped[0].File);
        Assert.Contains("no image member (jpg, jpeg, png, webp); members found: txt, cls", source.Skipped[0].Reason);
        Assert.EndsWith("#imageonly", source.Skipped[1].File);
        Assert.Contains("no caption member (txt, json)", source.Skipped[1].Reason);
    }

    // Layout of a TestShards shard (every member < 512 bytes): sample k's png header at 2048 k, its data at
    // 2048 k + 512, its txt header at 2048 k + 1024 and data at 2048 k + 1536; two zero blocks end the archive.
    [Fact]
    public void ACorruptMemberHeaderNamesTheShard()
    {
        using var dir = new TempDir();
        TestShards.Write(dir.Path, count: 4, perShard: 2);
        string shard = dir.File("data-000001.tar");
        var bytes = File.ReadAllBytes(shard);
        bytes[2048 + 3] ^= 0xFF; // a name byte of the second sample's png header: its checksum no longer matches
        File.WriteAllBytes(shard, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Source(dir.Path));
        Assert.Contains(shard, e.Message);
        Assert.Contains("not a readable tar shard (damaged or truncated near byte 2,048", e.Message);
    }

    [Theory]
    [InlineData(2048 + 512 + 50, "not a whole number of 512-byte tar blocks")] // inside the second png's data
    [InlineData(2048, "end-of-archive marker (two zero blocks) is missing")]    // at a sample boundary
    public void ATruncatedShardIsNamedInTheError(int length, string message)
    {
        using var dir = new TempDir();
        TestShards.Write(dir.Path, count: 4, perShard: 2);
        string shard = dir.File("data-000000.tar");
        File.WriteAllBytes(shard, File.ReadAllBytes(shard)[..length]);
        var e = Assert.Throws<InvalidDataException>(() => Source(dir.Path));
        Assert.Contains(shard, e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void NotATarIsNamedInTheError()
    {
        using var dir = new TempDir();
        TestShards.Write(dir.Path, count: 4, perShard: 2);
        var garbage = new byte[2048];
        new Random(5).NextBytes(garbage);
        garbage.AsSpan(1024).Clear(); // even with a plausible end marker the first header fails its checksum
        File.WriteAllBytes(dir.File("data-000001.tar"), garbage);
        var e = Assert.Throws<InvalidDataException>(() => Source(dir.Path));
        Assert.Contains(dir.File("data-000001.tar"), e.Message);
        Assert.Contains("not a readable tar shard (damaged or truncated near byte 0", e.Message);
    }

    [Fact]
    public void AGzippedShardAsksForDecompression()
    {
        using var dir = new TempDir();
        TestShards.Write(dir.Path, count: 2, perShard: 2);
        using (var output = File.Create(dir.File("data.tar.gz")))
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
            gzip.Write(File.ReadAllBytes(dir.File("data-000000.tar")));
        var e = Assert.Throws<InvalidDataException>(() => new WebDatasetSource(new WebDatasetOptions(dir.File("data.tar.gz"))));
        Assert.Contains("data.tar.gz: a gzip-compressed shard; decompress it first", e.Message);
    }

    [Theory]
    [InlineData("https://host/data-{0..9}.tar")]
    [InlineData("pipe:curl -s http://host/a.tar")]
    public void RemoteShardsAreRefusedWithAHint(string spec)
    {
        var e = Assert.Throws<ArgumentException>(() => new WebDatasetOptions(spec).Validate());
        Assert.Contains("local tar files only: download them first", e.Message);
    }

    [Fact]
    public void AMissingShardIsNamed()
    {
        using var dir = new TempDir();
        TestShards.Write(dir.Path, count: 2, perShard: 1);
        var e = Assert.Throws<FileNotFoundException>(() => new WebDatasetSource(new WebDatasetOptions("data-{000000..000002}.tar") { BaseDirectory = dir.Path }));
        Assert.Contains("data-000002.tar", e.Message);
    }

    [Theory]
    [InlineData("a/b/000123.seg.png", "a/b/000123", "seg.png")]
    [InlineData("X.JPG", "X", "jpg")]
    [InlineData("dir.v2/k.txt", "dir.v2/k", "txt")]
    [InlineData("__meta__", null, null)]
    [InlineData(".hidden", null, null)]
    [InlineData("noextension", null, null)]
    public void KeysEndAtTheFirstDotOfTheFileNameAsInWebdataset(string name, string? key, string? extension)
    {
        Assert.Equal((key, extension), WebDatasetTar.Split(name));
    }
}
