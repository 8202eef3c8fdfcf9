using ClipUp.Data;
using SkiaSharp;

namespace ClipUp.Tests.Data;

public class ImageDecoderTests
{
    [Fact]
    public void AnRgbPngDecodesToItsExactPixels()
    {
        var image = new RgbImage(2, 1, [255, 0, 0, 0, 0, 255]);
        var decoded = ImageDecoder.Decode(TestImages.Png(image), "two.png");
        Assert.Equal((2, 1), (decoded.Width, decoded.Height));
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void GrayscaleBecomesEqualRgbChannels()
    {
        using var gray = new SKBitmap(new SKImageInfo(4, 3, SKColorType.Gray8, SKAlphaType.Opaque));
        gray.Erase(new SKColor(77, 77, 77));
        var png = TestImages.Encode(gray, SKEncodedImageFormat.Png);
        Assert.Equal(0, png[25]); // IHDR colour type 0: the file really is grayscale

        var decoded = ImageDecoder.Decode(png, "gray.png");
        Assert.Equal((4, 3), (decoded.Width, decoded.Height));
        Assert.All(decoded.Pixels, v => Assert.Equal(77, v));
    }

    [Fact]
    public void AlphaIsCompositedOverWhite()
    {
        using var rgba = new SKBitmap(new SKImageInfo(2, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        new byte[] { 255, 0, 0, 128, 0, 0, 0, 0 }.CopyTo(rgba.GetPixelSpan());
        var decoded = ImageDecoder.Decode(TestImages.Encode(rgba, SKEncodedImageFormat.Png), "alpha.png");
        // Half-transparent red over white: (0 * 128 + 255 * 127) / 255 = 127 in G and B; R stays 255.
        Assert.Equal((byte)255, decoded.GetPixel(0, 0).R);
        Assert.Equal((byte)127, decoded.GetPixel(0, 0).G);
        Assert.Equal((byte)127, decoded.GetPixel(0, 0).B);
        Assert.Equal(((byte)255, (byte)255, (byte)255), decoded.GetPixel(1, 0)); // fully transparent -> white
    }

    [Fact]
    public void SixteenBitPngIsReducedToEightBits()
    {
        using var deep = new SKBitmap(new SKImageInfo(3, 2, SKColorType.Rgba16161616, SKAlphaType.Unpremul));
        deep.Erase(new SKColor(200, 100, 50));
        var png = TestImages.Encode(deep, SKEncodedImageFormat.Png);
        Assert.Equal(16, png[24]); // IHDR bit depth

        var decoded = ImageDecoder.Decode(png, "deep.png");
        Assert.Equal(((byte)200, (byte)100, (byte)50), decoded.GetPixel(2, 1));
    }

    [Theory]
    [InlineData(255, 0, 0, 255, 255, 0, 0)]     // no cyan ink, full magenta and yellow, no black: red
    [InlineData(255, 255, 255, 255, 255, 255, 255)] // no ink at all: white
    [InlineData(255, 255, 255, 128, 128, 128, 128)] // half black ink: R = C * K / 255 = 128
    public void AdobeCmykJpegIsConvertedToRgb(byte c, byte m, byte y, byte k, byte r, byte g, byte b)
    {
        var decoded = ImageDecoder.Decode(TestImages.CmykJpeg(c, m, y, k), "cmyk.jpg");
        Assert.Equal((8, 8), (decoded.Width, decoded.Height));
        var (pr, pg, pb) = decoded.GetPixel(3, 4);
        Assert.InRange(pr, r - 1, r + 1);
        Assert.InRange(pg, g - 1, g + 1);
        Assert.InRange(pb, b - 1, b + 1);
    }

    [Fact]
    public void ExifOrientationSixRotatesClockwise()
    {
        // Stored 16x8: left half red, right half blue. Orientation 6 = rotate 90 degrees clockwise to display,
        // so the upright image is 8x16 with red on top and blue below.
        var stored = new byte[16 * 8 * 3];
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 16; x++)
                stored[(y * 16 + x) * 3 + (x < 8 ? 0 : 2)] = 255;
        var jpeg = TestImages.WithExifOrientation(TestImages.Jpeg(new RgbImage(16, 8, stored)), 6);

        var upright = ImageDecoder.Decode(jpeg, "phone.jpg");
        Assert.Equal((8, 16), (upright.Width, upright.Height));
        Assert.True(upright.GetPixel(4, 2).R > 200 && upright.GetPixel(4, 2).B < 60, "top should be red");
        Assert.True(upright.GetPixel(4, 13).B > 200 && upright.GetPixel(4, 13).R < 60, "bottom should be blue");

        var asStored = ImageDecoder.Decode(jpeg, "phone.jpg", new ImageDecoderOptions(ApplyExifOrientation: false));
        Assert.Equal((16, 8), (asStored.Width, asStored.Height));
    }

    [Theory]
    [InlineData(2, 2, 0)] // mirror: stored top-right (2, 0) is shown at top-left
    [InlineData(3, 2, 1)] // 180 degrees: the last pixel (2, 1) comes first
    [InlineData(8, 2, 0)] // 90 degrees counter-clockwise: stored top-right (2, 0) is shown at top-left
    public void EveryOrientationMovesPixelsAsExifDefines(int orientation, int storedX, int storedY)
    {
        // 3x2 image whose pixel (x, y) has R = x and G = y.
        var pixels = new byte[3 * 2 * 3];
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
                (pixels[(y * 3 + x) * 3], pixels[(y * 3 + x) * 3 + 1]) = ((byte)x, (byte)y);
        var shown = ExifOrientation.Apply(new RgbImage(3, 2, pixels), (SKEncodedOrigin)orientation);
        Assert.Equal(((byte)storedX, (byte)storedY, (byte)0), shown.GetPixel(0, 0));
    }

    [Fact]
    public void AZeroByteFileThrowsNamingTheFile()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("empty.jpg"), []);
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.DecodeFile(dir.File("empty.jpg")));
        Assert.Contains("empty.jpg", e.Message);
        Assert.Contains("0 bytes", e.Message);
    }

    [Fact]
    public void TextSavedAsAnImageThrowsNamingTheFile()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("notes.png"), "this is a caption, not a picture");
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.DecodeFile(dir.File("notes.png")));
        Assert.Contains("notes.png", e.Message);
        Assert.Contains("not a readable image", e.Message);
    }

    [Theory]
    [InlineData(0.1)] // cut inside the header tables
    [InlineData(0.6)] // cut inside the scan data
    public void ATruncatedJpegThrowsNamingTheFile(double keep)
    {
        var noise = new byte[64 * 64 * 3];
        new Random(7).NextBytes(noise); // noise compresses badly, so the scan data is most of the file
        var full = TestImages.Jpeg(new RgbImage(64, 64, noise));
        var cut = full[..(int)(full.Length * keep)];
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(cut, "cut.jpg"));
        Assert.StartsWith("cut.jpg: ", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void CorruptBytesAfterAValidSignatureThrowNamingTheFile()
    {
        var png = TestImages.Png(RgbImage.Filled(16, 16, 1, 2, 3));
        for (int i = 40; i < png.Length - 12; i++)
            png[i] ^= 0x5A; // scramble everything after the IHDR chunk
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(png, "scrambled.png"));
        Assert.StartsWith("scrambled.png: ", e.Message);
    }

    [Fact]
    public void AHugeHeaderIsRefusedBeforeDecoding()
    {
        // 60,000 x 60,000 = 3.6 billion pixels claimed by a file of a few hundred bytes.
        var bomb = TestImages.JpegClaimingSize(60_000, 60_000);
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(bomb, "bomb.jpg"));
        Assert.Contains("bomb.jpg", e.Message);
        Assert.Contains("60000x60000", e.Message);
        Assert.Contains("3,600,000,000", e.Message);
        Assert.Contains("MaxPixels", e.Message);
    }

    [Fact]
    public void ThePixelLimitIsConfigurable()
    {
        var png = TestImages.Png(RgbImage.Filled(16, 16, 1, 2, 3)); // 256 pixels
        Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(png, "a.png", new ImageDecoderOptions(MaxPixels: 255)));
        Assert.Equal(16, ImageDecoder.Decode(png, "a.png", new ImageDecoderOptions(MaxPixels: 256)).Width);
    }

    [Fact]
    public void AMissingFileThrowsFileNotFound()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => ImageDecoder.DecodeFile(dir.File("gone.jpg")));
        Assert.Contains("gone.jpg", e.Message);
    }

    [Fact]
    public void ReadSizeGivesTheDecodedSizeFromTheHeaderAlone()
    {
        // A 16x8 JPEG tagged "rotate 90 degrees clockwise" (EXIF 6) decodes to 8x16.
        var jpeg = TestImages.WithExifOrientation(TestImages.Jpeg(RgbImage.Filled(16, 8, 10, 20, 30)), 6);
        Assert.Equal((8, 16), ImageDecoder.ReadSize(jpeg, "rotated.jpg"));
        Assert.Equal((16, 8), ImageDecoder.ReadSize(jpeg, "rotated.jpg", new ImageDecoderOptions(ApplyExifOrientation: false)));
        // The header of a 30,000 x 20,000 JPEG is read without allocating its 600 megapixels.
        Assert.Equal((30_000, 20_000), ImageDecoder.ReadSize(TestImages.JpegClaimingSize(30_000, 20_000), "huge.jpg"));
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.ReadSize(System.Text.Encoding.ASCII.GetBytes(new string('x', 200)), "note.txt"));
        Assert.StartsWith("note.txt: not a readable image", e.Message);
    }
}
