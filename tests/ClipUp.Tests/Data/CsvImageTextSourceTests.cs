using System.Text;
using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class CsvImageTextSourceTests
{
    static CsvImageTextSource Read(TempDir dir, string text, char separator = '\t', string name = "pairs.tsv")
    {
        File.WriteAllText(dir.File(name), text);
        return new CsvImageTextSource(new CsvSourceOptions(dir.File(name)) { Separator = separator });
    }

    [Fact]
    public void QuotedFieldsMayHoldCommasQuotesAndLineBreaks()
    {
        using var dir = new TempDir();
        var source = Read(dir, "image,caption\n\"a,b.jpg\",\"hello, world\"\nc.jpg,\"say \"\"hi\"\"\"\nd.jpg,\"two\nlines\"\n", ',', "pairs.csv");
        Assert.Equal(3, source.Count);
        Assert.Equal(Path.Combine(dir.Path, "a,b.jpg"), source[0].Image);
        Assert.Equal("hello, world", source[0].Caption);
        Assert.Equal("say \"hi\"", source[1].Caption);
        Assert.Equal("two\nlines", source[2].Caption);
    }

    [Fact]
    public void AQuoteInsideAnUnquotedFieldIsLiteral()
    {
        // As in Flickr8k: 'a sign that says " sale "' is not a quoted field because it does not start with a quote.
        using var dir = new TempDir();
        var source = Read(dir, "image\tcaption\nx.jpg\ta sign that says \" sale \" here\n");
        Assert.Equal("a sign that says \" sale \" here", source[0].Caption);
    }

    [Fact]
    public void AMissingColumnListsTheHeaderFoundAndTheColumnAskedFor()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<InvalidDataException>(() => Read(dir, "filepath\ttitle\nx.jpg\tA dog\n"));
        Assert.Contains("no column 'image' (image_column)", e.Message);
        Assert.Contains("columns found: ['filepath', 'title']", e.Message);
        Assert.Contains("pairs.tsv", e.Message);
    }

    [Fact]
    public void ACommaSeparatedFileReadAsTabSeparatedSuggestsTheSeparator()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<InvalidDataException>(() => Read(dir, "image,caption\nx.jpg,A dog\n"));
        Assert.Contains("columns found: ['image,caption']", e.Message);
        Assert.Contains("set separator to ','", e.Message);
    }

    [Fact]
    public void OtherColumnsBecomeAttributesAndImagePathsResolveAgainstTheRoot()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("fashion.tsv"),
            "image\tcaption\tgender\tarticleType\n10016.jpg\tPalm Tree Girl's Dress\tWomen\tDresses\n");
        var source = new CsvImageTextSource(CsvSourceOptions.Split(dir.Path, "fashion"));
        Assert.Equal(Path.Combine(dir.Path, "images", "10016.jpg"), source[0].Image);
        Assert.Equal("Women", source[0].Attributes["gender"]);
        Assert.Equal("Dresses", source[0].Attributes["articleType"]);
        Assert.Equal(2, source[0].Attributes.Count);
    }

    [Fact]
    public void EmptyCaptionsAreSkippedAndCounted()
    {
        using var dir = new TempDir();
        var source = Read(dir, "image\tcaption\na.jpg\tA dog\nb.jpg\t\nc.jpg\t   \n\nd.jpg\tA cat\n");
        Assert.Equal(["A dog", "A cat"], new[] { source[0].Caption, source[1].Caption });
        Assert.Equal(2, source.Report.EmptyCaptionsSkipped);
    }

    [Fact]
    public void InvalidUtf8IsReplacedAndItsLineReported()
    {
        using var dir = new TempDir();
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes("image\tcaption\na.jpg\tcaf\u00e9 ok\nb.jpg\tcaf"));
        bytes.Add(0xE9); // Latin-1 'é': not valid UTF-8
        bytes.AddRange(Encoding.UTF8.GetBytes(" bad\n"));
        File.WriteAllBytes(dir.File("mixed.tsv"), [.. bytes]);
        var source = new CsvImageTextSource(new CsvSourceOptions(dir.File("mixed.tsv")));
        Assert.Equal("caf\u00e9 ok", source[0].Caption);
        Assert.Equal("caf\uFFFD bad", source[1].Caption);
        Assert.Equal([3], source.Report.InvalidUtf8Lines);
    }

    [Fact]
    public void ARowWithTheWrongNumberOfFieldsNamesItsLine()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<InvalidDataException>(() => Read(dir, "image\tcaption\na.jpg\tA dog\nb.jpg\tA\tcat\n"));
        Assert.Contains("line 3: 3 fields but the header has 2", e.Message);
    }

    [Fact]
    public void AnUnclosedQuoteNamesTheLineWhereItOpened()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<InvalidDataException>(() => Read(dir, "image,caption\na.jpg,ok\nb.jpg,\"never closed\nc.jpg,x\n", ','));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("never closed", e.Message);
    }

    [Fact]
    public void AByteOrderMarkAndWindowsLineEndingsAreAccepted()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("win.tsv"), [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("image\tcaption\r\na.jpg\tA dog\r\nb.jpg\tA cat\r\n")]);
        var source = new CsvImageTextSource(new CsvSourceOptions(dir.File("win.tsv")));
        Assert.Equal(["A dog", "A cat"], new[] { source[0].Caption, source[1].Caption });
        Assert.Empty(source.Report.InvalidUtf8Lines);
    }

    [Fact]
    public void FormatRowRoundTripsThroughParse()
    {
        string[] fields = ["a\tb", "\"quoted\"", "mid \" quote", "line\nbreak", ""];
        var row = Assert.Single(Csv.Parse(Csv.FormatRow(fields, '\t') + "\n", '\t', "mem"));
        Assert.Equal(fields, row.Fields);
    }

    [Fact]
    public void TheCommittedFlickrSampleHasSixtyImagesWithFiveCaptionsEach()
    {
        var source = new CsvImageTextSource(CsvSourceOptions.Split(Path.Combine(TestData.RepoRoot, "data-samples", "flickr8k"), "train"));
        Assert.Equal(300, source.Count);
        var perImage = Enumerable.Range(0, source.Count).GroupBy(i => source[i].Image).ToList();
        Assert.Equal(60, perImage.Count);
        Assert.All(perImage, g => Assert.Equal(5, g.Count()));
        Assert.Equal((96, 96), (source.LoadImage(0, new()).Width, source.LoadImage(0, new()).Height));
    }
}
