using static TorchSharp.torch;

namespace ClipUp.Data;

/// <summary>
/// open_clip's image preprocessing as pure functions over <see cref="RgbImage"/>. Geometry (crop, resize) runs in
/// SkiaSharp (<see cref="ImageResampler"/>); normalisation is a plain loop into a CHW float buffer, or is left to
/// the device (<see cref="ToChwBytes"/> + <see cref="NormalizeOnDevice"/>) so a loader ships 4x fewer bytes.
/// Axis legend: C = 3 channels (R, G, B), H = W = <see cref="ImageTransformConfig.Size"/>, B = batch.
/// </summary>
public static class ImageTransforms
{
    /// <summary>
    /// Training geometry: RandomResizedCrop with the config's scale and ratio ranges, bilinear, to Size x Size.
    /// The crop depends only on the image size and <paramref name="rng"/>; pass a generator seeded per sample.
    /// </summary>
    public static RgbImage TrainCrop(RgbImage image, ImageTransformConfig config, Random rng)
    {
        var box = CropBox.SampleRandomResized(image.Width, image.Height,
            config.MinScale, config.MaxScale, config.MinRatio, config.MaxRatio, rng);
        return ImageResampler.CropResize(image, box, config.Size, config.Size, Interpolation.Bilinear);
    }

    /// <summary>
    /// Evaluation geometry: resize so the shorter side is Size (bicubic; the longer side becomes
    /// <c>floor(Size * long / short)</c> as in torchvision's <c>Resize(int)</c>), then centre-crop Size x Size.
    /// </summary>
    public static RgbImage EvalCrop(RgbImage image, ImageTransformConfig config)
    {
        int size = config.Size, w = image.Width, h = image.Height;
        var (rw, rh) = w <= h ? (size, (int)((long)size * h / w)) : ((int)((long)size * w / h), size);
        var resized = rw == w && rh == h
            ? image
            : ImageResampler.CropResize(image, new CropBox(0, 0, w, h), rw, rh, Interpolation.Bicubic);
        return ImageResampler.Crop(resized, CropBox.Center(rw, rh, size));
    }

    /// <summary>
    /// Writes <c>(v / 255 - Mean[c]) / Std[c]</c> in float32 for every pixel into <paramref name="chw"/>,
    /// laid out [3, H, W]. <paramref name="chw"/> must hold exactly 3 * H * W floats.
    /// </summary>
    public static void NormalizeInto(RgbImage image, ImageTransformConfig config, Span<float> chw)
    {
        int plane = image.Width * image.Height;
        if (chw.Length != 3 * plane)
            throw new ArgumentException($"expected a [3, {image.Height}, {image.Width}] buffer of {3 * plane} floats, got {chw.Length}");
        Span<float> table = stackalloc float[3 * 256];
        FillTable(config, table);
        var px = image.Pixels;
        for (int i = 0; i < plane; i++)
        {
            chw[i] = table[px[3 * i]];
            chw[plane + i] = table[256 + px[3 * i + 1]];
            chw[2 * plane + i] = table[512 + px[3 * i + 2]];
        }
    }

    /// <summary>Normalises a whole image into a new float[3 * H * W] (CHW); see <see cref="NormalizeInto"/>.</summary>
    public static float[] Normalize(RgbImage image, ImageTransformConfig config)
    {
        var chw = new float[3 * image.Width * image.Height];
        NormalizeInto(image, config, chw);
        return chw;
    }

    /// <summary>Copies the pixels as uint8 planes, [3, H, W], into <paramref name="chw"/> (for device-side normalisation).</summary>
    public static void ToChwBytes(RgbImage image, Span<byte> chw)
    {
        int plane = image.Width * image.Height;
        if (chw.Length != 3 * plane)
            throw new ArgumentException($"expected a [3, {image.Height}, {image.Width}] buffer of {3 * plane} bytes, got {chw.Length}");
        var px = image.Pixels;
        for (int i = 0; i < plane; i++)
        {
            chw[i] = px[3 * i];
            chw[plane + i] = px[3 * i + 1];
            chw[2 * plane + i] = px[3 * i + 2];
        }
    }

    /// <summary>
    /// The device-side twin of <see cref="NormalizeInto"/>: uint8 [B, 3, H, W] -> float32 [B, 3, H, W] with the same
    /// float32 operations in the same order, so both paths give bit-identical values. Returns a fresh tensor.
    /// </summary>
    public static Tensor NormalizeOnDevice(Tensor uint8Images, ImageTransformConfig config)
    {
        if (uint8Images.dtype != ScalarType.Byte || uint8Images.dim() != 4 || uint8Images.shape[1] != 3)
            throw new ArgumentException(
                $"expected uint8 images [B, 3, H, W], got {uint8Images.dtype} [{string.Join(", ", uint8Images.shape)}]");
        using var scope = NewDisposeScope();
        var device = uint8Images.device;
        var mean = tensor(new[] { config.Mean.R, config.Mean.G, config.Mean.B }, device: device).view(1, 3, 1, 1);
        var std = tensor(new[] { config.Std.R, config.Std.G, config.Std.B }, device: device).view(1, 3, 1, 1);
        return uint8Images.to(ScalarType.Float32).div(255f).sub(mean).div(std).MoveToOuterDisposeScope();
    }

    static void FillTable(ImageTransformConfig config, Span<float> table)
    {
        ReadOnlySpan<float> mean = [config.Mean.R, config.Mean.G, config.Mean.B];
        ReadOnlySpan<float> std = [config.Std.R, config.Std.G, config.Std.B];
        for (int c = 0; c < 3; c++)
            for (int v = 0; v < 256; v++)
                table[c * 256 + v] = (v / 255f - mean[c]) / std[c];
    }
}
