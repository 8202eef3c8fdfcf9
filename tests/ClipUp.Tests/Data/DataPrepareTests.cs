using System.Text.Json;
using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class DataPrepareTests
{
    static string FlickrSamples => Path.Combine(TestData.RepoRoot, "data-samples", "flickr8k");

    [Fact]
    public void AFlickrTableRoundTripsThroughShards()
    {
        // data-samples/flickr8k/val.tsv: 20 images x 5 captions, 96x96 JPEG. At 64 px and 8 per shard: 8 + 8 + 4.
        using var dir = new TempDir();
        var source = new CsvImageTextSource(CsvSourceOptions.Split(FlickrSamples, "val"));
        var reported = new List<int>();
        var manifest = DataPrepare.ToWebDataset(source, dir.Path, new PrepareOptions(ImageSize: 64, SamplesPerShard: 8),
            new SynchronousProgress(reported.Add));
        Assert.Equal([8, 8, 4], manifest.Shards.Select(s => s.Samples));
        Assert.Equal(20, manifest.Samples);
        Assert.Empty(manifest.Skipped);
        Assert.Equal(20, reported[^1]);

        var groups = source.RowsByImage();
        var firsts = new WebDatasetSource(WebDatasetOptions.FromManifest(dir.File(WebDatasetManifest.FileName)));
        Assert.Equal(20, firsts.Count);
        for (int j = 0; j < 20; j++)
        {
            Assert.Equal(source[groups[j][0]].Caption, firsts[j].Caption);
            Assert.Equal(source[groups[j][0]].Image, firsts[j].Attributes["source"]);
            Assert.EndsWith($"#{j:D9}", firsts[j].Image);
        }
        var image = firsts.LoadImage(3, new ImageDecoderOptions());
        Assert.Equal((64, 64), (image.Width, image.Height));

        // Every caption comes back with AllCaptions, in table order.
        var all = new WebDatasetSource(WebDatasetOptions.AllCaptions(manifest.Pattern) with { BaseDirectory = dir.Path });
        Assert.Equal(100, all.Count);
        Assert.Equal(20, all.Samples);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => source[i].Caption), Enumerable.Range(0, 100).Select(i => all[i].Caption));
    }

    [Fact]
    public void UnreadableImagesAreSkippedAndListedInTheManifest()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("wide.png"), TestImages.Png(RgbImage.Filled(40, 20, 200, 10, 10)));
        File.WriteAllText(dir.File("broken.jpg"), "not a jpeg at all, just text that is long enough to be sniffed");
        File.WriteAllText(dir.File("pairs.tsv"), "image\tcaption\twhere\nwide.png\ta red band\tsea\nbroken.jpg\tbroken\tx\nmissing.jpg\tgone\ty\n");
        var source = new CsvImageTextSource(new CsvSourceOptions(dir.File("pairs.tsv")));
        string output = Path.Combine(dir.Path, "shards");
        var manifest = DataPrepare.ToWebDataset(source, output, new PrepareOptions(ImageSize: 10, SamplesPerShard: 100));
        Assert.Equal(1, manifest.Samples);
        Assert.Equal([dir.File("broken.jpg"), dir.File("missing.jpg")], manifest.Skipped.Select(e => e.File));
        Assert.Equal(manifest.Skipped, WebDatasetManifest.Read(Path.Combine(output, WebDatasetManifest.FileName)).Skipped);

        // 40x20 with the shorter side to 10: 20x10. The json keeps the row's attributes.
        var shards = new WebDatasetSource(WebDatasetOptions.FromManifest(Path.Combine(output, WebDatasetManifest.FileName)));
        var image = shards.LoadImage(0, new ImageDecoderOptions());
        Assert.Equal((20, 10), (image.Width, image.Height));
        Assert.Equal("sea", shards[0].Attributes["where"]);
        var (r, g, b) = image.GetPixel(10, 5);
        Assert.InRange(r, 190, 210); // JPEG of a flat colour: within a few levels
        Assert.InRange(g, 0, 25);
        Assert.InRange(b, 0, 25);
    }

    [Fact]
    public void TheShardsDoNotDependOnTheWorkerCount()
    {
        using var one = new TempDir();
        using var three = new TempDir();
        var source = SyntheticShapes.ToSource(SyntheticShapes.Generate(new SyntheticShapesConfig(40) { Seed = 2, ImageSize = 32 }));
        var options = new PrepareOptions(ImageSize: 24, SamplesPerShard: 16);
        DataPrepare.ToWebDataset(source, one.Path, options with { Workers = 1 });
        DataPrepare.ToWebDataset(source, three.Path, options with { Workers = 3 });
        foreach (var name in new[] { "data-000000.tar", "data-000001.tar", "data-000002.tar", "manifest.json" })
            Assert.Equal(File.ReadAllBytes(one.File(name)), File.ReadAllBytes(three.File(name)));
    }

    [Theory]
    [InlineData(96, 96, 64, false, 64, 64)]
    [InlineData(40, 20, 10, false, 20, 10)]
    [InlineData(100, 75, 64, false, 85, 64)]  // 64 * 100 / 75 = 85.3 -> 85
    [InlineData(30, 50, 64, false, 30, 50)]   // smaller than the target: kept
    [InlineData(30, 50, 64, true, 64, 106)]   // enlarged: 64 * 50 / 30 = 106.7 -> 106
    public void ResizingSetsTheShorterSideLikeTorchvision(int w, int h, int size, bool enlarge, int expectedW, int expectedH)
    {
        Assert.Equal((expectedW, expectedH), DataPrepare.ResizedSize(w, h, size, enlarge));
    }

    [Fact]
    public void TheManifestJsonUsesCamelCaseNames()
    {
        using var dir = new TempDir();
        TestShards.Write(dir.Path, count: 3, perShard: 2);
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File(WebDatasetManifest.FileName)));
        Assert.Equal("data-{000000..000001}.tar", doc.RootElement.GetProperty("pattern").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("shards")[0].GetProperty("samples").GetInt32());
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests want the reports in order, at once.</summary>
    sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
