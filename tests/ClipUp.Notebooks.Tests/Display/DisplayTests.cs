using Microsoft.Data.Analysis;
using SkiaSharp;
using static TorchSharp.torch;

namespace ClipUp.Notebooks.Tests.Display;

public class DisplayTests
{
    private readonly ClipUp.Notebooks.Display display = ClipUp.Notebooks.Display.CreateDefault();

    [Fact]
    public void ADataFrameBecomesAnHtmlTableAndPlainText()
    {
        var df = new DataFrame(new StringDataFrameColumn("model", ["dense", "moe<4>"]), new DoubleDataFrameColumn("loss", [2.5, 1.25]));

        var bundle = display.Format(df);

        Assert.Equal(
            "<table><thead><tr><th></th><th>model</th><th>loss</th></tr></thead><tbody>" +
            "<tr><td><b>0</b></td><td>dense</td><td>2.5</td></tr>" +
            "<tr><td><b>1</b></td><td>moe&lt;4&gt;</td><td>1.25</td></tr></tbody></table>",
            bundle[Mime.Html]);
        Assert.Contains("moe<4>", bundle[Mime.Plain]);
    }

    [Fact]
    public void AnRgbTensorBecomesAPngWithItsPixels()
    {
        // [3, 8, 10]: red everywhere except a white top-left pixel.
        using var image = zeros(3, 8, 10);
        image[0].fill_(1f);
        image[TensorIndex.Colon, 0, 0] = ones(3);

        var bundle = display.Format(image);

        using var png = Decode(bundle[Mime.Png]);
        Assert.Equal((10, 8), (png.Width, png.Height));
        Assert.Equal(new SKColor(255, 255, 255), png.GetPixel(0, 0));
        Assert.Equal(new SKColor(255, 0, 0), png.GetPixel(9, 7));
        Assert.Equal("Tensor [3, 8, 10] Float32 cpu", bundle[Mime.Plain]);
    }

    [Fact]
    public void ABatchOfImagesBecomesAGridWithGutters()
    {
        // 3 images -> ceil(sqrt(3)) = 2 columns, 2 rows; width 2 + 2 * (8 + 2) = 22, height the same.
        using var batch = zeros(3, 3, 8, 8);
        batch[1].fill_(1f);

        using var png = Decode(display.Format(batch)[Mime.Png]);

        Assert.Equal((22, 22), (png.Width, png.Height));
        Assert.Equal(new SKColor(0, 0, 0), png.GetPixel(2, 2));         // image 0 at (2, 2)
        Assert.Equal(new SKColor(255, 255, 255), png.GetPixel(12, 2));  // image 1 (white) at (12, 2)
        Assert.Equal(new SKColor(0, 0, 0), png.GetPixel(2, 12));        // image 2 at (2, 12)
        Assert.Equal(new SKColor(255, 255, 255), png.GetPixel(1, 1));   // gutter
    }

    [Fact]
    public void AnImageTensorOutsideZeroToOneIsMinMaxScaled()
    {
        // Values -2 and 2 map to 0 and 255.
        using var image = full(3, 8, 8, -2f);
        image[TensorIndex.Colon, 0, 0] = full(3, 2f);

        using var png = Decode(display.Format(image)[Mime.Png]);

        Assert.Equal(new SKColor(255, 255, 255), png.GetPixel(0, 0));
        Assert.Equal(new SKColor(0, 0, 0), png.GetPixel(1, 0));
    }

    [Fact]
    public void ASmallOrNonImageTensorIsTextWithShapeDtypeAndValues()
    {
        using var t = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3);
        using var tiny = zeros(3, 4, 4);

        var text = display.Format(t)[Mime.Plain];

        Assert.Equal("Tensor [2, 3] Float32 cpu\n[[1, 2, 3]\n [4, 5, 6]]", text);
        Assert.False(display.Format(tiny).ContainsKey(Mime.Png));
    }

    [Fact]
    public void SkiaSharpBitmapsAndImagesBecomePngs()
    {
        using var bitmap = new SKBitmap(5, 4);
        bitmap.Erase(new SKColor(0, 0, 255));
        using var image = SKImage.FromBitmap(bitmap);

        foreach (var bundle in new[] { display.Format(bitmap), display.Format(image) })
        {
            using var png = Decode(bundle[Mime.Png]);
            Assert.Equal((5, 4), (png.Width, png.Height));
            Assert.Equal(new SKColor(0, 0, 255), png.GetPixel(4, 3));
            Assert.Equal("Image 5x4", bundle[Mime.Plain]);
        }
    }

    [Fact]
    public void SequencesAndOtherValuesArePlainText()
    {
        Assert.Equal("[1, 2, 3]", display.Format(new List<int> { 1, 2, 3 })[Mime.Plain]);
        Assert.Equal("{a: 1}", display.Format(new Dictionary<string, int> { ["a"] = 1 })[Mime.Plain]);
        Assert.Equal("0.5", display.Format(0.5)[Mime.Plain]);
        Assert.Equal("null", display.Format(null)[Mime.Plain]);
        Assert.Equal("(1, x)", display.Format((1, "x"))[Mime.Plain]);
    }

    [Fact]
    public void ARegisteredFormatterWinsOverTheBuiltInOnes()
    {
        display.Register<int>(i => new Dictionary<string, string> { [Mime.Html] = $"<b>{i}</b>" });
        Assert.Equal("<b>7</b>", display.Format(7)[Mime.Html]);
    }

    private static SKBitmap Decode(string base64) =>
        SKBitmap.Decode(Convert.FromBase64String(base64)) ?? throw new InvalidDataException("not a PNG");
}
