using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class RetrievalSetTests
{
    [Fact]
    public void RowsAreGroupedByImageInFirstAppearanceOrder()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("val.tsv"), "image\tcaption\nx.jpg\tx one\ny.jpg\ty one\nx.jpg\tx two\n");
        var set = RetrievalSet.FromTable(new CsvSourceOptions(dir.File("val.tsv")));
        Assert.Equal([dir.File("x.jpg"), dir.File("y.jpg")], set.Images);
        Assert.Equal(["x one", "y one", "x two"], set.Captions);
        Assert.Equal([0, 1, 0], set.CaptionToImage);
        Assert.Equal([[0, 2], [1]], set.ImageToCaptions());
        Assert.Equal([0, 1], set.ImageRows);
    }

    [Fact]
    public void Flickr8kValHasAThousandImagesWithFiveCaptionsEach()
    {
        TestData.RequireShared(Path.Combine("flickr8k", "val.tsv"));
        var options = CsvSourceOptions.Split(Path.Combine(TestData.SharedData, "flickr8k"), "val");
        var set = RetrievalSet.FromTable(options);
        Assert.Equal(1_000, set.Images.Count);
        Assert.Equal(5_000, set.Captions.Count);
        Assert.All(set.ImageToCaptions(), captions => Assert.Equal(5, captions.Count));

        // The mapping agrees with the table row by row: caption i's image is the image column of row i.
        var source = new CsvImageTextSource(options);
        for (int i = 0; i < source.Count; i++)
        {
            Assert.Equal(source[i].Caption, set.Captions[i]);
            Assert.Equal(source[i].Image, set.Images[set.CaptionToImage[i]]);
        }
        Assert.Equal(Path.Combine(options.ImageRoot!, "1000268201_693b08cb0e.jpg"), set.Images[0]);
        Assert.Equal([0, 0, 0, 0, 0, 1], set.CaptionToImage.Take(6));
    }

    [Fact]
    public void ValidateNamesTheInconsistency()
    {
        var e = Assert.Throws<ArgumentException>(() => new RetrievalSet(["a", "b"], ["x", "y"], [0, 2], [0, 1]).Validate());
        Assert.Contains("CaptionToImage holds 2, outside [0, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new RetrievalSet(["a", "b"], ["x", "y"], [0, 0], [0, 1]).Validate());
        Assert.Contains("image 1 ('b') has no caption", e.Message);
        e = Assert.Throws<ArgumentException>(() => new RetrievalSet(["a"], ["x", "y"], [0], [0]).Validate());
        Assert.Contains("2 captions but 1 CaptionToImage entries", e.Message);
    }
}
