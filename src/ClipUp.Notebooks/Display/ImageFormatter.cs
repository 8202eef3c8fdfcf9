using System.Runtime.InteropServices;
using SkiaSharp;
using static TorchSharp.torch;

namespace ClipUp.Notebooks;

/// <summary>
/// Images as base64 <c>image/png</c>: SkiaSharp bitmaps and images directly, image tensors after conversion. Tensor
/// values in [0, 1] are shown as they are; any other range (a normalized CLIP input, say) is min-max scaled to [0, 1]
/// for display. A batch becomes a grid of ceil(sqrt(B)) columns with 2-pixel white gutters.
/// </summary>
internal static class ImageFormatter
{
    private const int MinSide = 8, MaxBatch = 256, Gutter = 2;

    public static IReadOnlyDictionary<string, string> Format(SKBitmap bitmap)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return Bundle(data, bitmap.Width, bitmap.Height);
    }

    public static IReadOnlyDictionary<string, string> Format(SKImage image)
    {
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return Bundle(data, image.Width, image.Height);
    }

    /// <summary>[3, H, W] or [B, 3, H, W] floating-point tensors with H, W &gt;= 8 and B &lt;= 256.</summary>
    public static bool IsImage(Tensor t) =>
        t.is_floating_point() && t.numel() > 0 && (t.dim() == 3 || (t.dim() == 4 && t.shape[0] <= MaxBatch))
        && t.shape[^3] == 3 && t.shape[^2] >= MinSide && t.shape[^1] >= MinSide;

    /// <summary>The tensor as base64 PNG; see the class summary for scaling and the batch grid.</summary>
    public static string Png(Tensor image)
    {
        using var scope = NewDisposeScope();
        var x = image.detach().cpu().to(float32);
        if (x.dim() == 3) x = x.unsqueeze(0);
        var (min, max) = (x.min().item<float>(), x.max().item<float>());
        if (min < 0 || max > 1) x = (x - min) / Math.Max(max - min, 1e-12f);
        var (b, h, w) = ((int)x.shape[0], (int)x.shape[2], (int)x.shape[3]);
        var cols = (int)Math.Ceiling(Math.Sqrt(b));
        var rows = (b + cols - 1) / cols;
        var gutter = b > 1 ? Gutter : 0;
        var grid = ones(3, rows * (h + gutter) + gutter, cols * (w + gutter) + gutter);
        for (var i = 0; i < b; i++)
            grid.narrow(1, i / cols * (h + gutter) + gutter, h).narrow(2, i % cols * (w + gutter) + gutter, w).copy_(x[i]);
        var rgb = (grid.clamp(0, 1) * 255).round().to(uint8).permute(1, 2, 0);                  // [H', W', 3]
        var rgba = cat([rgb, full([rgb.shape[0], rgb.shape[1], 1], 255, dtype: uint8)], 2).contiguous(); // [H', W', 4]
        var pixels = rgba.data<byte>().ToArray();
        using var bitmap = new SKBitmap((int)rgba.shape[1], (int)rgba.shape[0], SKColorType.Rgba8888, SKAlphaType.Opaque);
        Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return Convert.ToBase64String(data.ToArray());
    }

    private static Dictionary<string, string> Bundle(SKData? data, int width, int height) => new()
    {
        [Mime.Png] = data is null ? throw new InvalidOperationException($"SkiaSharp could not encode the {width}x{height} image as PNG") : Convert.ToBase64String(data.ToArray()),
        [Mime.Plain] = $"Image {width}x{height}",
    };
}
