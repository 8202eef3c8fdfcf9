using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class WebDatasetReaderTests
{
    static int[] Numbers(IEnumerable<WebDatasetSample> samples) => [.. samples.Select(s => TestShards.Number(s.Captions[0]))];

    [Fact]
    public void WithoutShufflingSamplesStreamInShardAndTarOrder()
    {
        using var dir = new TempDir();
        TestShards.Write(dir.Path, count: 23, perShard: 5);
        var options = WebDatasetOptions.FromManifest(dir.File(WebDatasetManifest.FileName));
        var samples = WebDatasetReader.Read(options, WebDatasetShuffle.None).ToList();
        Assert.Equal(Enumerable.Range(0, 23), Numbers(samples));
        Assert.Equal("s007", samples[7].Key);
        Assert.Equal("png", samples[7].ImageExtension);
        Assert.Equal(dir.File("data-000001.tar"), samples[7].Shard);
        Assert.Equal(TestShards.Image(7).Pixels, samples[7].Decode().Pixels);
    }

    [Fact]
    public void ShardAndBufferShuffleAreFixedBySeedAndEpochAndKeepEverySample()
    {
        using var dir = new TempDir();
        TestShards.Write(dir.Path, count: 23, perShard: 5);
        var options = WebDatasetOptions.FromManifest(dir.File(WebDatasetManifest.FileName));
        int[] Read(int seed, int epoch) => Numbers(WebDatasetReader.Read(options, new WebDatasetShuffle(seed) { BufferSize = 8 }, epoch));
        var first = Read(seed: 1, epoch: 0);
        Assert.Equal(first, Read(seed: 1, epoch: 0));
        Assert.NotEqual(first, Read(seed: 2, epoch: 0));
        Assert.NotEqual(first, Read(seed: 1, epoch: 1));
        Assert.NotEqual(Enumerable.Range(0, 23), first);
        Assert.Equal(Enumerable.Range(0, 23), first.Order());
    }

    [Fact]
    public void ShardShuffleOnlyReordersWholeShards()
    {
        // Without a buffer each shard's samples stay together and in tar order: 5 runs (5, 5, 5, 5, 3 samples).
        using var dir = new TempDir();
        TestShards.Write(dir.Path, count: 23, perShard: 5);
        var options = WebDatasetOptions.FromManifest(dir.File(WebDatasetManifest.FileName));
        var shuffle = new WebDatasetShuffle(Seed: 4);
        var shards = WebDatasetReader.ShardOrder(options.ShardPaths(), shuffle, epoch: 0);
        var expected = shards.SelectMany(shard =>
        {
            int s = int.Parse(Path.GetFileNameWithoutExtension(shard)["data-".Length..]);
            return Enumerable.Range(5 * s, Math.Min(5, 23 - 5 * s));
        });
        Assert.Equal(expected, Numbers(WebDatasetReader.Read(options, shuffle)));
        Assert.NotEqual(options.ShardPaths(), shards);
    }

    [Fact]
    public void AShuffleBufferEmitsEachItemOnceAndMovesNoneMoreThanSizeMinusOnePlacesEarlier()
    {
        var output = WebDatasetReader.ShuffleBuffer(Enumerable.Range(0, 100), size: 10, new Random(3)).ToList();
        Assert.Equal(Enumerable.Range(0, 100), output.Order());
        for (int position = 0; position < output.Count; position++)
            Assert.True(position >= output[position] - 9, $"item {output[position]} came out at {position}");
        Assert.Equal(output, WebDatasetReader.ShuffleBuffer(Enumerable.Range(0, 100), 10, new Random(3)));
        Assert.NotEqual(output, WebDatasetReader.ShuffleBuffer(Enumerable.Range(0, 100), 10, new Random(4)));
    }

    [Fact]
    public void SkippedSamplesAreReportedWhileStreaming()
    {
        using var dir = new TempDir();
        using (var writer = new WebDatasetWriter(new WebDatasetWriterOptions(dir.Path)))
        {
            writer.Write("a", [("png", TestImages.Png(TestShards.Image(0))), ("txt", "sample 0"u8.ToArray())]);
            writer.Write("b", [("png", TestImages.Png(TestShards.Image(1))), ("txt", "  "u8.ToArray())]);
            writer.Write("c", [("txt", "sample 2"u8.ToArray())]);
        }
        var skipped = new List<DataError>();
        var samples = WebDatasetReader.Read(new WebDatasetOptions(dir.File("data-000000.tar")), WebDatasetShuffle.None, skipped: skipped.Add).ToList();
        Assert.Equal([0], Numbers(samples));
        Assert.Equal(["every caption is empty", "no image member (jpg, jpeg, png, webp); members found: txt"], skipped.Select(e => e.Reason));
    }
}
