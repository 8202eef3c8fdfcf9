namespace ClipUp.Data;

/// <summary>A pixel rectangle inside an image: columns [Left, Left + Width), rows [Top, Top + Height).</summary>
public readonly record struct CropBox(int Left, int Top, int Width, int Height)
{
    /// <summary>
    /// torchvision's <c>RandomResizedCrop.get_params</c>: up to 10 tries of an area fraction drawn uniformly from
    /// [minScale, maxScale] and a log-uniform aspect ratio from [minRatio, maxRatio]; the first box that fits is
    /// placed uniformly at random. If none fits, falls back to the largest centred box whose ratio is clamped to
    /// the range. All randomness comes from <paramref name="rng"/>, so a seeded generator gives a fixed box.
    /// </summary>
    public static CropBox SampleRandomResized(int width, int height, double minScale, double maxScale,
        double minRatio, double maxRatio, Random rng)
    {
        double area = (double)width * height;
        double logMin = Math.Log(minRatio), logMax = Math.Log(maxRatio);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double targetArea = area * (minScale + (maxScale - minScale) * rng.NextDouble());
            double aspect = Math.Exp(logMin + (logMax - logMin) * rng.NextDouble());
            // Python's round() rounds halves to even, as Math.Round does by default.
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspect));
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int top = rng.Next(0, height - h + 1);
                int left = rng.Next(0, width - w + 1);
                return new CropBox(left, top, w, h);
            }
        }
        double inRatio = (double)width / height;
        int fw = width, fh = height;
        if (inRatio < minRatio)
            fh = (int)Math.Round(fw / minRatio);
        else if (inRatio > maxRatio)
            fw = (int)Math.Round(fh * maxRatio);
        return new CropBox((width - fw) / 2, (height - fh) / 2, fw, fh);
    }

    /// <summary>
    /// torchvision's <c>CenterCrop</c> offsets: <c>round((W - size) / 2)</c> (halves to even) for a size x size box.
    /// </summary>
    public static CropBox Center(int width, int height, int size)
    {
        if (size > width || size > height)
            throw new ArgumentException($"centre crop {size}x{size} does not fit in a {width}x{height} image");
        return new CropBox((int)Math.Round((width - size) / 2.0), (int)Math.Round((height - size) / 2.0), size, size);
    }
}
