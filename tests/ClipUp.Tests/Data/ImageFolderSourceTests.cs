using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class ImageFolderSourceTests
{
    [Fact]
    public void ClassesAreSubFoldersInOrdinalOrderAndLabelsFollowThem()
    {
        using var dir = new TempDir();
        var png = TestImages.Png(RgbImage.Filled(4, 4, 1, 2, 3));
        foreach (var (cls, files) in new[] { ("dog", new[] { "2.png", "1.PNG" }), ("Cat", ["x.jpg"]), ("bird", ["a.png"]) })
        {
            Directory.CreateDirectory(dir.File(cls));
            foreach (var f in files)
                File.WriteAllBytes(Path.Combine(dir.File(cls), f), png);
        }
        File.WriteAllText(Path.Combine(dir.File("dog"), "notes.txt"), "not an image");

        var source = new ImageFolderSource(dir.Path);
        Assert.Equal(["Cat", "bird", "dog"], source.ClassNames); // ordinal: upper case first
        Assert.Equal([0, 1, 2, 2], source.Labels);
        Assert.Equal(["x.jpg", "a.png", "1.PNG", "2.png"], Enumerable.Range(0, 4).Select(i => Path.GetFileName(source[i].Image)));
        Assert.Equal("dog", source[3].Caption);
        Assert.Equal("dog", source[3].Attributes["class"]);
        Assert.Equal(4, source.LoadImage(3, new()).Width);
    }

    [Fact]
    public void AFolderWithoutImagesIsRejected()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("empty-class"));
        var e = Assert.Throws<InvalidDataException>(() => new ImageFolderSource(dir.Path));
        Assert.Contains("1 sub-folders but no image files", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => new ImageFolderSource(dir.File("missing")));
    }

    [Fact]
    public void TheCommittedCifarSampleHasTenClassesOfTen()
    {
        var source = new ImageFolderSource(Path.Combine(TestData.RepoRoot, "data-samples", "cifar10", "train"));
        Assert.Equal(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"], source.ClassNames);
        Assert.Equal(100, source.Count);
        Assert.All(source.Labels.GroupBy(l => l), g => Assert.Equal(10, g.Count()));
    }
}
