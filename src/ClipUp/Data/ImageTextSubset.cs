namespace ClipUp.Data;

/// <summary>
/// A view of some rows of another source, in the given order (MoDE expert shards, the distinct images of a retrieval
/// set, evaluation caps). Nothing is copied.
/// </summary>
public sealed class ImageTextSubset : ImageTextSource
{
    private readonly ImageTextSource inner;
    private readonly int[] rows;

    public ImageTextSubset(ImageTextSource inner, IReadOnlyList<int> rows)
    {
        foreach (var r in rows)
            if (r < 0 || r >= inner.Count)
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"row {r} is outside the source's {inner.Count} rows");
        this.inner = inner;
        this.rows = [.. rows];
    }

    /// <summary>The row in the inner source of each row of this view.</summary>
    public IReadOnlyList<int> Rows => rows;

    public override int Count => rows.Length;
    public override ImageTextRecord this[int index] => inner[rows[index]];
    public override RgbImage LoadImage(int index, ImageDecoderOptions decoder) => inner.LoadImage(rows[index], decoder);
    public override byte[]? LoadEncoded(int index) => inner.LoadEncoded(rows[index]);
    public override SourceReport Report => inner.Report;
}
