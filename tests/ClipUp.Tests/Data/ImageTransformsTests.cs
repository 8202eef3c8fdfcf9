using ClipUp.Data;
using static TorchSharp.torch;

namespace ClipUp.Tests.Data;

public class ImageTransformsTests
{
    static readonly ImageTransformConfig Size32 = new(32);

    [Fact]
    public void AConstantImageNormalisesToHandComputedValues()
    {
        // (v / 255 - mean) / std per channel:
        //   R: (10 / 255 - 0.48145466) / 0.26862954 = (0.0392157 - 0.4814547) / 0.2686295 = -1.6462783
        //   G: (128 / 255 - 0.4578275) / 0.26130258 = (0.5019608 - 0.4578275) / 0.2613026 =  0.1688972
        //   B: (255 / 255 - 0.40821073) / 0.27577711 = (1 - 0.4082107) / 0.2757771       =  2.1458970
        var image = RgbImage.Filled(50, 40, 10, 128, 255);
        float[] expected = [-1.6462783f, 0.1688972f, 2.1458970f];
        foreach (var shaped in new[] { ImageTransforms.TrainCrop(image, Size32, new Random(1)), ImageTransforms.EvalCrop(image, Size32) })
        {
            var chw = ImageTransforms.Normalize(shaped, Size32);
            Assert.Equal(3 * 32 * 32, chw.Length);
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 32 * 32; i++)
                    Assert.Equal(expected[c], chw[c * 32 * 32 + i], 1e-6);
        }
    }

    [Fact]
    public void EvalCentreCropOfA100x50ImagePicksTheMiddle()
    {
        // Pixel (x, y) has R = x, G = y. Size 50: the short side is already 50, so no resize; the crop starts at
        // round((100 - 50) / 2) = 25 and keeps columns 25..74.
        var pixels = new byte[100 * 50 * 3];
        for (int y = 0; y < 50; y++)
            for (int x = 0; x < 100; x++)
                (pixels[(y * 100 + x) * 3], pixels[(y * 100 + x) * 3 + 1]) = ((byte)x, (byte)y);
        var crop = ImageTransforms.EvalCrop(new RgbImage(100, 50, pixels), new ImageTransformConfig(50));
        Assert.Equal((50, 50), (crop.Width, crop.Height));
        Assert.Equal(((byte)25, (byte)0, (byte)0), crop.GetPixel(0, 0));
        Assert.Equal(((byte)74, (byte)49, (byte)0), crop.GetPixel(49, 49));
        Assert.Equal(((byte)50, (byte)20, (byte)0), crop.GetPixel(25, 20));
    }

    [Fact]
    public void EvalResizesTheShortSideThenCropsTheMiddle()
    {
        // 100x50 with the middle 50 columns green and the outer quarters red; Size 25 resizes to 50x25
        // (a 2x reduction) and keeps columns 12..36 of that, all from the green middle.
        var image = RgbImage.Filled(100, 50, 255, 0, 0);
        for (int y = 0; y < 50; y++)
            for (int x = 25; x < 75; x++)
                (image.Pixels[(y * 100 + x) * 3], image.Pixels[(y * 100 + x) * 3 + 1]) = (0, 255);
        var crop = ImageTransforms.EvalCrop(image, new ImageTransformConfig(25));
        Assert.Equal((25, 25), (crop.Width, crop.Height));
        for (int x = 1; x < 24; x++) // the outermost columns may blend with the red border
            Assert.Equal(((byte)0, (byte)255, (byte)0), crop.GetPixel(x, 12));
    }

    [Fact]
    public void TrainCropsAreSeededAndDifferBetweenSeeds()
    {
        var noise = new byte[96 * 96 * 3];
        new Random(3).NextBytes(noise);
        var image = new RgbImage(96, 96, noise);
        var a = ImageTransforms.TrainCrop(image, Size32, new Random(11));
        var b = ImageTransforms.TrainCrop(image, Size32, new Random(11));
        var c = ImageTransforms.TrainCrop(image, Size32, new Random(12));
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.NotEqual(a.Pixels, c.Pixels);
    }

    [Fact]
    public void RandomResizedCropBoxesStayInsideTheImageAndTheScaleRange()
    {
        for (int seed = 0; seed < 500; seed++)
        {
            var box = CropBox.SampleRandomResized(96, 64, 0.9, 1.0, 3.0 / 4, 4.0 / 3, new Random(seed));
            Assert.InRange(box.Left, 0, 96 - box.Width);
            Assert.InRange(box.Top, 0, 64 - box.Height);
            // The area is within [0.9, 1.0] of 96 * 64 = 6144 up to rounding of each side, or it is the fallback box.
            Assert.InRange(box.Width * box.Height, 0.9 * 6144 - 96 - 64, 6144);
        }
    }

    [Fact]
    public void RandomResizedCropFallsBackToTheCentredLargestBox()
    {
        // A 100x50 image cannot hold a square of 90-100% of its area, so all ten tries fail and the fallback
        // clamps the ratio to 1: a 50x50 box at left (100 - 50) / 2 = 25.
        var box = CropBox.SampleRandomResized(100, 50, 0.9, 1.0, 1.0, 1.0, new Random(0));
        Assert.Equal(new CropBox(25, 0, 50, 50), box);
    }

    [Fact]
    public void ShrinkingByFourAveragesInsteadOfAliasing()
    {
        // Alternating black and white columns: any point sampler picks only one colour, an average gives ~127.5.
        var image = RgbImage.Filled(64, 64, 0, 0, 0);
        for (int y = 0; y < 64; y++)
            for (int x = 1; x < 64; x += 2)
                image.Pixels[(y * 64 + x) * 3] = image.Pixels[(y * 64 + x) * 3 + 1] = image.Pixels[(y * 64 + x) * 3 + 2] = 255;
        var small = ImageResampler.CropResize(image, new CropBox(0, 0, 64, 64), 16, 16, Interpolation.Bilinear);
        Assert.All(small.Pixels, v => Assert.InRange(v, 120, 135));
    }

    [Fact]
    public void DeviceNormalisationMatchesTheCpuLoop()
    {
        var noise = new byte[2 * 3 * 8 * 8];
        new Random(5).NextBytes(noise);
        var expected = new float[noise.Length];
        for (int b = 0; b < 2; b++)
        {
            // Rebuild each HWC image from its CHW planes and normalise it on the CPU.
            var hwc = new byte[8 * 8 * 3];
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 64; i++)
                    hwc[i * 3 + c] = noise[b * 192 + c * 64 + i];
            ImageTransforms.NormalizeInto(new RgbImage(8, 8, hwc), Size32, expected.AsSpan(b * 192, 192));
        }
        using var raw = tensor(noise, [2, 3, 8, 8]);
        using var normalised = ImageTransforms.NormalizeOnDevice(raw, Size32);
        Assert.Equal([2L, 3, 8, 8], normalised.shape);
        var actual = normalised.data<float>().ToArray(); // same float32 ops in the same order: bit-identical on CPU
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 1e-6);
    }

    [Fact]
    public void ImpossibleConfigsAreRejectedWithTheirValues()
    {
        var e = Assert.Throws<ArgumentException>(() => (Size32 with { MinScale = 0.95, MaxScale = 0.5 }).Validate());
        Assert.Contains("[0.95, 0.5]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageTransformConfig(0).Validate());
    }
}
