namespace ClipUp.Data;

/// <summary>
/// Preprocessing of one image into a [3, Size, Size] float32 tensor, open_clip's <c>image_transform</c>:
/// train = RandomResizedCrop(Size, scale [MinScale, MaxScale], ratio [MinRatio, MaxRatio], bilinear);
/// eval = resize the shorter side to Size (bicubic) and centre-crop. Both then normalise each channel
/// with <c>(v / 255 - Mean) / Std</c>.
/// </summary>
/// <param name="Size">Output side in pixels (the model's image size, e.g. 96 for the small-scale presets).</param>
public sealed record ImageTransformConfig(int Size)
{
    /// <summary>OpenAI CLIP's per-channel mean (open_clip <c>OPENAI_DATASET_MEAN</c>).</summary>
    public static readonly (float R, float G, float B) ClipMean = (0.48145466f, 0.4578275f, 0.40821073f);

    /// <summary>OpenAI CLIP's per-channel standard deviation (open_clip <c>OPENAI_DATASET_STD</c>).</summary>
    public static readonly (float R, float G, float B) ClipStd = (0.26862954f, 0.26130258f, 0.27577711f);

    /// <summary>Smallest crop area as a fraction of the image (open_clip's train default 0.9).</summary>
    public double MinScale { get; init; } = 0.9;

    /// <summary>Largest crop area as a fraction of the image (1.0).</summary>
    public double MaxScale { get; init; } = 1.0;

    /// <summary>Smallest crop aspect ratio width/height (3/4, torchvision's default).</summary>
    public double MinRatio { get; init; } = 3.0 / 4.0;

    /// <summary>Largest crop aspect ratio width/height (4/3).</summary>
    public double MaxRatio { get; init; } = 4.0 / 3.0;

    /// <summary>Per-channel mean subtracted after scaling to [0, 1].</summary>
    public (float R, float G, float B) Mean { get; init; } = ClipMean;

    /// <summary>Per-channel standard deviation divided by after subtracting <see cref="Mean"/>.</summary>
    public (float R, float G, float B) Std { get; init; } = ClipStd;

    /// <summary>Throws with the offending values when the configuration is impossible.</summary>
    public ImageTransformConfig Validate()
    {
        if (Size <= 0)
            throw new ArgumentOutOfRangeException(nameof(Size), Size, "image Size must be positive");
        if (!(MinScale > 0 && MinScale <= MaxScale && MaxScale <= 1))
            throw new ArgumentException($"crop scale [{MinScale}, {MaxScale}] must satisfy 0 < MinScale <= MaxScale <= 1");
        if (!(MinRatio > 0 && MinRatio <= MaxRatio))
            throw new ArgumentException($"crop ratio [{MinRatio}, {MaxRatio}] must satisfy 0 < MinRatio <= MaxRatio");
        if (!(Std.R > 0 && Std.G > 0 && Std.B > 0))
            throw new ArgumentException($"Std {Std} must be positive in every channel");
        return this;
    }
}
