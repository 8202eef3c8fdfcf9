using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class DataStatsTests
{
    [Fact]
    public void ASmallTableGivesHandCountedStatistics()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("wide.png"), TestImages.Png(RgbImage.Filled(40, 20, 1, 2, 3)));
        File.WriteAllText(dir.File("broken.jpg"), "this is text, not an image, and long enough for the sniffer to say so");
        File.WriteAllText(dir.File("pairs.tsv"), "image\tcaption\nwide.png\tA dog runs .\nwide.png\ta dog\nbroken.jpg\tTwo dogs, one cat!\n");
        var source = new CsvImageTextSource(new CsvSourceOptions(dir.File("pairs.tsv")));
        // A stand-in tokenizer with one id per word; + start and end tokens: 5, 4 and 6 against a context of 5.
        var stats = DataStats.Summarise(source, tokenize: c => new int[DataStats.Words(c).Count], contextLength: 5);

        Assert.Equal(3, stats.Samples);
        Assert.Equal(2, stats.DistinctImages);
        // Words 3, 2, 4: sorted [2, 3, 4]; P95 sits at 0.95 * 2 = 1.9, i.e. 3 + 0.9 * (4 - 3) = 3.9.
        Assert.Equal(new Distribution(3, 2, 3, 3, 3.9, 4), stats.CaptionWords with { P95 = Math.Round(stats.CaptionWords.P95, 10) });
        Assert.Equal(new Distribution(3, 4, 5, 5, 5.9, 6), stats.CaptionTokens! with { P95 = Math.Round(stats.CaptionTokens!.P95, 10) });
        Assert.Equal(1, stats.CaptionsOverContext);
        Assert.Equal(new Distribution(1, 40, 40, 40, 40, 40), stats.ImageWidths);
        Assert.Equal([new ImageSizeCount(40, 20, 1)], stats.CommonSizes);
        Assert.Equal(1, stats.Unreadable);
        Assert.Equal(dir.File("broken.jpg"), stats.UnreadableImages[0].File);
        // a 2, dog 2, then the singletons in ordinal order.
        Assert.Equal(["a:2", "dog:2", "cat:1", "dogs:1", "one:1", "runs:1", "two:1"], stats.TopWords.Select(w => $"{w.Word}:{w.Count}"));
    }

    [Fact]
    public void TheFlickrSampleHasSixtyImagesOfNinetySixPixels()
    {
        var source = new CsvImageTextSource(CsvSourceOptions.Split(Path.Combine(TestData.RepoRoot, "data-samples", "flickr8k"), "train"));
        var stats = DataStats.Summarise(source, topWords: 3);
        Assert.Equal(300, stats.Samples);
        Assert.Equal(60, stats.DistinctImages);
        Assert.Equal([new ImageSizeCount(96, 96, 60)], stats.CommonSizes);
        Assert.Equal(0, stats.Unreadable);
        Assert.Null(stats.CaptionTokens);
        Assert.Equal("a", stats.TopWords[0].Word);
        Assert.Equal(3, stats.TopWords.Count);
        Assert.InRange(stats.CaptionWords.Mean, 5, 20);
    }

    [Fact]
    public void InMemoryImagesAreMeasuredDirectly()
    {
        var source = SyntheticShapes.ToSource(SyntheticShapes.Generate(new SyntheticShapesConfig(5) { ImageSize = 16 }));
        var stats = DataStats.Summarise(source);
        Assert.Equal([new ImageSizeCount(16, 16, 5)], stats.CommonSizes);
    }

    [Fact]
    public void WordsAreRunsOfLettersDigitsAndApostrophes()
    {
        Assert.Equal(["a", "girl's", "red", "and", "white", "dog", "2"], DataStats.Words("A girl's red-and-white dog . 2"));
        Assert.Empty(DataStats.Words(" . , !"));
    }
}
