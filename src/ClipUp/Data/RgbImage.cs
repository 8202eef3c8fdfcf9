namespace ClipUp.Data;

/// <summary>
/// An 8-bit RGB image in row-major HWC layout: <c>Pixels[(y * Width + x) * 3 + c]</c>, c = 0 red, 1 green, 2 blue.
/// This is what <see cref="ImageDecoder"/> returns and what <see cref="ImageTransforms"/> consume; no alpha,
/// no colour management (values are the file's own, as PIL's <c>convert("RGB")</c> gives them).
/// </summary>
public sealed class RgbImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) as a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != (long)width * height * 3)
            throw new ArgumentException(
                $"a {width}x{height} RGB image needs {(long)width * height * 3} bytes, got {pixels.Length}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels (W).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (H).</summary>
    public int Height { get; }

    /// <summary>Interleaved RGB bytes, [H, W, 3].</summary>
    public byte[] Pixels { get; }

    /// <summary>The (R, G, B) value at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public (byte R, byte G, byte B) GetPixel(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    /// <summary>A new image filled with one colour.</summary>
    public static RgbImage Filled(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>
    /// Converts unpremultiplied RGBA bytes ([H, W, 4]) to RGB by compositing over white:
    /// <c>out = (c * a + 255 * (255 - a)) / 255</c>, rounded to nearest. Opaque pixels are copied unchanged.
    /// </summary>
    /// <remarks>
    /// Why white and not "drop alpha" (PIL's <c>convert("RGB")</c>): the colour stored under a fully transparent pixel
    /// is arbitrary (often black), so dropping alpha can turn a logo's transparent margin into a black frame.
    /// White is what a viewer shows and matches the white backgrounds of the fashion catalogue photos.
    /// </remarks>
    public static RgbImage FromRgbaOverWhite(int width, int height, ReadOnlySpan<byte> rgba)
    {
        var rgb = new byte[width * height * 3];
        for (int p = 0, q = 0; q < rgb.Length; p += 4, q += 3)
        {
            int a = rgba[p + 3];
            if (a == 255)
            {
                rgb[q] = rgba[p];
                rgb[q + 1] = rgba[p + 1];
                rgb[q + 2] = rgba[p + 2];
            }
            else
            {
                int white = 255 * (255 - a) + 127; // +127 rounds the division by 255 to nearest
                rgb[q] = (byte)((rgba[p] * a + white) / 255);
                rgb[q + 1] = (byte)((rgba[p + 1] * a + white) / 255);
                rgb[q + 2] = (byte)((rgba[p + 2] * a + white) / 255);
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /// <summary>Opaque RGBA bytes ([H, W, 4], alpha 255), the layout SkiaSharp draws from.</summary>
    public byte[] ToRgba()
    {
        var rgba = new byte[Width * Height * 4];
        for (int p = 0, q = 0; q < Pixels.Length; p += 4, q += 3)
        {
            rgba[p] = Pixels[q];
            rgba[p + 1] = Pixels[q + 1];
            rgba[p + 2] = Pixels[q + 2];
            rgba[p + 3] = 255;
        }
        return rgba;
    }
}
