using SkiaSharp;

namespace ClipUp.Data;

/// <summary>
/// Applies an EXIF orientation (TIFF tag 0x0112, values 1-8, <see cref="SKEncodedOrigin"/>) so the stored pixels come
/// out the way a viewer shows them. For 5-8 width and height swap.
/// </summary>
public static class ExifOrientation
{
    /// <summary>Returns <paramref name="stored"/> rotated/flipped upright (the same instance for TopLeft).</summary>
    public static RgbImage Apply(RgbImage stored, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft)
            return stored;
        int w = stored.Width, h = stored.Height;
        bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop
            or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int outW = swap ? h : w, outH = swap ? w : h;
        var src = stored.Pixels;
        var dst = new byte[src.Length];
        for (int oy = 0; oy < outH; oy++)
        {
            for (int ox = 0; ox < outW; ox++)
            {
                // Source pixel (sx, sy) shown at (ox, oy); e.g. RightTop (6) is a 90 degree clockwise rotation,
                // so the stored top-left pixel lands at the output's top-right.
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - ox, oy),
                    SKEncodedOrigin.BottomRight => (w - 1 - ox, h - 1 - oy),
                    SKEncodedOrigin.BottomLeft => (ox, h - 1 - oy),
                    SKEncodedOrigin.LeftTop => (oy, ox),
                    SKEncodedOrigin.RightTop => (oy, h - 1 - ox),
                    SKEncodedOrigin.RightBottom => (w - 1 - oy, h - 1 - ox),
                    SKEncodedOrigin.LeftBottom => (w - 1 - oy, ox),
                    _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "not an EXIF orientation (1-8)"),
                };
                int s = (sy * w + sx) * 3, d = (oy * outW + ox) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(outW, outH, dst);
    }
}
