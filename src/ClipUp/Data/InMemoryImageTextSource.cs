namespace ClipUp.Data;

/// <summary>An <see cref="ImageTextSource"/> over images already in memory (e.g. <see cref="SyntheticShapes"/>).</summary>
public sealed class InMemoryImageTextSource : ImageTextSource
{
    readonly IReadOnlyList<ImageTextRecord> _records;
    readonly IReadOnlyList<RgbImage> _images;

    /// <summary>Pairs <paramref name="records"/>[i] with <paramref name="images"/>[i]; neither is copied.</summary>
    public InMemoryImageTextSource(IReadOnlyList<ImageTextRecord> records, IReadOnlyList<RgbImage> images)
    {
        if (records.Count != images.Count)
            throw new ArgumentException($"{records.Count} records but {images.Count} images: give one image per record");
        _records = records;
        _images = images;
    }

    /// <inheritdoc/>
    public override int Count => _records.Count;

    /// <inheritdoc/>
    public override ImageTextRecord this[int index] => _records[index];

    /// <summary>Returns the stored image (shared, not copied; treat it as read-only).</summary>
    public override RgbImage LoadImage(int index, ImageDecoderOptions decoder) => _images[index];
}
