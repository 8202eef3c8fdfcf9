using SkiaSharp;

namespace ClipUp.Data;

/// <summary>Resampling filter for <see cref="ImageResampler"/>.</summary>
public enum Interpolation
{
    /// <summary>Bilinear (Skia <see cref="SKFilterMode.Linear"/>), torchvision's RandomResizedCrop default.</summary>
    Bilinear,

    /// <summary>Catmull-Rom cubic (B = 0, C = 1/2), the kernel of PIL's BICUBIC that open_clip uses for eval.
    /// It interpolates: at scale 1 it returns the input pixels unchanged.</summary>
    Bicubic,
}

/// <summary>Crop-and-resize of <see cref="RgbImage"/>s with SkiaSharp.</summary>
public static class ImageResampler
{
    /// <summary>
    /// Crops <paramref name="box"/> out of <paramref name="source"/> and resizes it to
    /// <paramref name="width"/> x <paramref name="height"/> (pixel edges map to edges, as in PIL and torchvision).
    /// </summary>
    /// <remarks>
    /// Skia's bilinear and cubic filters do not widen their support when shrinking, so a 3x reduction would
    /// sample only some source pixels and alias. PIL (and torchvision with antialias) average over the footprint
    /// instead. We approximate that by first halving with bilinear filtering (an exact 2x2 box average on even
    /// sizes) while the crop is at least twice the target in both directions, then resampling the rest (&lt; 2x).
    /// </remarks>
    public static RgbImage CropResize(RgbImage source, CropBox box, int width, int height, Interpolation interpolation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (box.Left < 0 || box.Top < 0 || box.Width <= 0 || box.Height <= 0
            || box.Left + box.Width > source.Width || box.Top + box.Height > source.Height)
            throw new ArgumentException($"crop {box} is outside the {source.Width}x{source.Height} image", nameof(box));

        if (box.Width == width && box.Height == height)
            return Crop(source, box); // scale 1: resampling would only copy (and cost time)

        using var full = SKImage.FromPixelCopy(
            new SKImageInfo(source.Width, source.Height, SKColorType.Rgba8888, SKAlphaType.Opaque), source.ToRgba());
        bool whole = box.Left == 0 && box.Top == 0 && box.Width == source.Width && box.Height == source.Height;
        SKImage current = whole ? full : full.Subset(new SKRectI(box.Left, box.Top, box.Left + box.Width, box.Top + box.Height));
        try
        {
            var linear = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None);
            while (current.Width >= 2 * width && current.Height >= 2 * height)
                Replace(ref current, full, Draw(current, current.Width / 2, current.Height / 2, linear));
            var sampling = interpolation == Interpolation.Bicubic
                ? new SKSamplingOptions(SKCubicResampler.CatmullRom)
                : linear;
            Replace(ref current, full, Draw(current, width, height, sampling));
            return ReadRgb(current);
        }
        finally
        {
            if (!ReferenceEquals(current, full))
                current.Dispose();
        }
    }

    /// <summary>Copies the pixels inside <paramref name="box"/> (no resampling).</summary>
    public static RgbImage Crop(RgbImage source, CropBox box)
    {
        if (box.Left < 0 || box.Top < 0 || box.Left + box.Width > source.Width || box.Top + box.Height > source.Height)
            throw new ArgumentException($"crop {box} is outside the {source.Width}x{source.Height} image", nameof(box));
        var dst = new byte[box.Width * box.Height * 3];
        int rowBytes = box.Width * 3;
        for (int y = 0; y < box.Height; y++)
            Array.Copy(source.Pixels, ((box.Top + y) * source.Width + box.Left) * 3, dst, y * rowBytes, rowBytes);
        return new RgbImage(box.Width, box.Height, dst);
    }

    static void Replace(ref SKImage current, SKImage full, SKImage next)
    {
        if (!ReferenceEquals(current, full))
            current.Dispose();
        current = next;
    }

    static SKImage Draw(SKImage image, int width, int height, SKSamplingOptions sampling)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { BlendMode = SKBlendMode.Src })
        {
            canvas.DrawImage(image, new SKRect(0, 0, image.Width, image.Height), new SKRect(0, 0, width, height), sampling, paint);
            canvas.Flush();
        }
        bitmap.SetImmutable();
        return SKImage.FromBitmap(bitmap);
    }

    static RgbImage ReadRgb(SKImage image)
    {
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        unsafe
        {
            fixed (byte* p = rgba)
            {
                if (!image.ReadPixels(info, (IntPtr)p, info.RowBytes, 0, 0))
                    throw new InvalidOperationException($"Skia could not read back a {image.Width}x{image.Height} image");
            }
        }
        return RgbImage.FromRgbaOverWhite(image.Width, image.Height, rgba);
    }
}
