using System.Globalization;
using static TorchSharp.torch;

namespace ClipUp.Notebooks;

/// <summary>
/// TorchSharp tensors: image-shaped float tensors ([3, H, W] or [B, 3, H, W] with H, W &gt;= 8) as a PNG (a grid for
/// a batch, see <see cref="ImageFormatter"/>), every tensor as text with its shape, dtype and device, then its values
/// in NumPy style.
/// </summary>
internal static class TensorFormatter
{
    public static IReadOnlyDictionary<string, string> Format(Tensor t)
    {
        var header = $"Tensor [{string.Join(", ", t.shape)}] {t.dtype} {t.device}";
        if (ImageFormatter.IsImage(t))
            return new Dictionary<string, string> { [Mime.Png] = ImageFormatter.Png(t), [Mime.Plain] = header };
        var values = t.ToString(TorchSharp.TensorStringStyle.Numpy, "g5", 100, CultureInfo.InvariantCulture, "\n");
        return Mime.PlainText(header + "\n" + values);
    }
}
