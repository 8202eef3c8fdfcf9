using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class KarpathySplitSourceTests
{
    /// <summary>
    /// Karpathy's layout with four images of five sentences each: a (test, under val2014/), b (train), c (restval),
    /// d (test, one sentence blank). Extra fields (tokens, imgid, sentids) are ignored, as in the real files.
    /// </summary>
    internal static string WriteSample(TempDir dir)
    {
        static string Image(string name, string split, string? filepath, params string[] raw) =>
            $$"""{"filepath": {{(filepath is null ? "null" : $"\"{filepath}\"")}}, "filename": "{{name}}", "imgid": 0, "split": "{{split}}", "sentids": [0], "sentences": [{{string.Join(", ", raw.Select(r => $$"""{"tokens": ["x"], "raw": "{{r}}", "imgid": 0, "sentid": 0}"""))}}]}""";
        string[] Five(string n) => [.. Enumerable.Range(0, 5).Select(i => $"{n} caption {i}")];
        string json = $$"""
            {"dataset": "coco", "images": [
              {{Image("a.jpg", "test", "val2014", Five("a"))}},
              {{Image("b.jpg", "train", null, Five("b"))}},
              {{Image("c.jpg", "restval", null, Five("c"))}},
              {{Image("d.jpg", "test", null, ["d caption 0", "d caption 1", "  ", "d caption 3 ", "d caption 4"])}}
            ]}
            """;
        File.WriteAllText(dir.File("dataset_coco.json"), json);
        return dir.File("dataset_coco.json");
    }

    [Fact]
    public void TheTestSplitGivesTheRetrievalGroundTruth()
    {
        using var dir = new TempDir();
        var set = RetrievalSet.FromKarpathy(WriteSample(dir), "test", imageRoot: "/coco");
        Assert.Equal([Path.Combine("/coco", "val2014", "a.jpg"), Path.Combine("/coco", "d.jpg")], set.Images);
        // a's five captions, then d's four (its blank sentence is dropped): text i -> image j.
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], set.CaptionToImage);
        Assert.Equal("a caption 0", set.Captions[0]);
        Assert.Equal("d caption 3", set.Captions[7]); // trimmed
        Assert.Equal([[0, 1, 2, 3, 4], [5, 6, 7, 8]], set.ImageToCaptions());
        Assert.Equal([0, 5], set.ImageRows);
    }

    [Fact]
    public void TrainMergesRestvalUnlessAskedNotTo()
    {
        using var dir = new TempDir();
        string json = WriteSample(dir);
        var merged = new KarpathySplitSource(new KarpathyOptions(json, "train"));
        Assert.Equal(10, merged.Count);
        Assert.Equal(["train", "restval"], new[] { merged[0], merged[5] }.Select(r => r.Attributes["split"]));
        Assert.Equal(dir.File("b.jpg"), merged[0].Image); // the JSON's folder is the default image root
        var trainOnly = new KarpathySplitSource(new KarpathyOptions(json, "train") { MergeRestval = false });
        Assert.Equal(["b caption 0", "b caption 1", "b caption 2", "b caption 3", "b caption 4"],
            Enumerable.Range(0, trainOnly.Count).Select(i => trainOnly[i].Caption));
        var test = new KarpathySplitSource(new KarpathyOptions(json, "test"));
        Assert.Equal(1, test.Report.EmptyCaptionsSkipped);
    }

    [Fact]
    public void AnEmptySplitListsTheSplitsFound()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<InvalidDataException>(() => new KarpathySplitSource(new KarpathyOptions(WriteSample(dir), "val")));
        Assert.Contains("no captions in split(s) val; images per split: restval 1, test 2, train 1", e.Message);
    }

    [Fact]
    public void AnUnknownSplitNameIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new KarpathyOptions("x.json", "dev").Validate());
        Assert.Contains("split 'dev' is not one of train, val, test, restval", e.Message);
    }

    [Fact]
    public void AFileWithoutAnImagesArrayIsNamed()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("other.json"), """{"annotations": []}""");
        var e = Assert.Throws<InvalidDataException>(() => new KarpathySplitSource(new KarpathyOptions(dir.File("other.json"), "test")));
        Assert.Contains("other.json: no top-level \"images\" array", e.Message);
    }
}
