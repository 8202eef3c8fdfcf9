namespace ClipUp.Data;

/// <summary>How a loader hands images over: normalised floats, or raw bytes normalised later on the device.</summary>
public enum PixelFormat
{
    /// <summary>float32 [B, 3, H, W], already normalised on the CPU.</summary>
    Float32,

    /// <summary>uint8 [B, 3, H, W]; <see cref="ImageBatch.ToTensor"/> normalises after the copy (4x fewer bytes to move).</summary>
    Uint8,
}

/// <summary>Batching, ordering and robustness settings of an <see cref="ImageTextLoader"/>.</summary>
/// <param name="BatchSize">Samples per batch (B).</param>
public sealed record LoaderConfig(int BatchSize)
{
    /// <summary>Seed of the epoch order, caption choice and augmentation (all derived with <see cref="SeedMix"/>).</summary>
    public int Seed { get; init; }

    /// <summary>Shuffle the order every epoch (training) or keep source order (evaluation).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>RandomResizedCrop (training) instead of resize + centre crop (evaluation).</summary>
    public bool Augment { get; init; } = true;

    /// <summary>Drop the last, incomplete batch of an epoch (training: every step sees B samples).</summary>
    public bool DropLast { get; init; } = true;

    /// <summary>
    /// Treat rows with the same image as one sample and pick one of its captions per epoch (seeded), so an epoch of
    /// Flickr8k is 6,091 images, not 30,455 rows, and an image never meets itself as a negative in one batch.
    /// small-scale.md recommends it against memorisation.
    /// </summary>
    public bool OneCaptionPerImage { get; init; }

    /// <summary>Batches decoded in parallel (each on its own task). Results do not depend on it.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Batches decoded ahead of the consumer (the bounded channel's capacity).</summary>
    public int Prefetch { get; init; } = 4;

    /// <summary>
    /// Largest fraction of the source's distinct images that may be unreadable before the loader stops with
    /// <see cref="DataErrorLimitException"/>. Default 1%: a few bad files are skipped, a wrong image folder is not.
    /// </summary>
    public double MaxErrorFraction { get; init; } = 0.01;

    /// <summary>Normalised float32 (default) or uint8 pixels in each batch.</summary>
    public PixelFormat Pixels { get; init; } = PixelFormat.Float32;

    /// <summary>Decoder limits (maximum pixels, EXIF orientation).</summary>
    public ImageDecoderOptions Decoder { get; init; } = new();

    /// <summary>Training defaults: shuffled, augmented, drop-last.</summary>
    public static LoaderConfig Train(int batchSize, int seed) => new(batchSize) { Seed = seed };

    /// <summary>Evaluation defaults: source order, centre crops, every sample kept.</summary>
    public static LoaderConfig Eval(int batchSize) => new(batchSize) { Shuffle = false, Augment = false, DropLast = false };

    /// <summary>Throws with the offending value when a setting is impossible.</summary>
    public LoaderConfig Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize);
        if (Workers < 1)
            throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "Workers must be at least 1");
        if (Prefetch < 1)
            throw new ArgumentOutOfRangeException(nameof(Prefetch), Prefetch, "Prefetch must be at least 1 batch");
        if (!(MaxErrorFraction >= 0 && MaxErrorFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(MaxErrorFraction), MaxErrorFraction, "MaxErrorFraction must be in [0, 1]");
        Decoder.Validate();
        return this;
    }
}

/// <summary>
/// Where a loader is: the next batch starts at <paramref name="Offset"/> in the shuffled order of
/// <paramref name="Epoch"/>. Store it in a checkpoint and pass it back to <see cref="ImageTextLoader.Read"/> to resume.
/// </summary>
public readonly record struct LoaderPosition(int Epoch, int Offset);
