using System.Collections.ObjectModel;

namespace ClipUp.Data;

/// <summary>One row of an image-text data set.</summary>
/// <param name="Image">Where the image is: a file path for file-backed sources, a key for in-memory ones.
/// Rows of the same image share the same <paramref name="Image"/> (Flickr8k has 5 rows per image).</param>
/// <param name="Caption">The text paired with the image (never empty: sources skip empty captions).</param>
/// <param name="Attributes">Other columns of the row (fashion: gender, articleType, ...; ImageFolder: class),
/// empty when there are none.</param>
public sealed record ImageTextRecord(string Image, string Caption, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>The shared empty attribute set.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoAttributes = ReadOnlyDictionary<string, string>.Empty;
}

/// <summary>
/// An indexable, read-only list of (image, caption, attributes) rows that can decode the image of any row.
/// Implementations: <see cref="CsvImageTextSource"/> (open_clip's CsvDataset), <see cref="ImageFolderSource"/>
/// (classification folders; caption = class name), <see cref="WebDatasetSource"/> (tar shards, indexed),
/// <see cref="KarpathySplitSource"/> (COCO/Flickr30k split files), <see cref="InMemoryImageTextSource"/> (synthetic data).
/// Sources are immutable after construction, so loader workers can read them from any thread.
/// </summary>
public abstract class ImageTextSource
{
    /// <summary>Number of rows.</summary>
    public abstract int Count { get; }

    /// <summary>Row <paramref name="index"/>, 0 &lt;= index &lt; <see cref="Count"/>.</summary>
    public abstract ImageTextRecord this[int index] { get; }

    /// <summary>
    /// Decodes the image of row <paramref name="index"/>. An unreadable image throws <see cref="InvalidDataException"/>
    /// (or an <see cref="IOException"/> such as <see cref="FileNotFoundException"/>) naming the file; loaders count
    /// those as data errors and skip the row.
    /// </summary>
    public abstract RgbImage LoadImage(int index, ImageDecoderOptions decoder);

    /// <summary>
    /// The encoded bytes (JPEG, PNG, ...) of row <paramref name="index"/>'s image, or null when the source holds
    /// decoded images only (<see cref="InMemoryImageTextSource"/>). Lets <see cref="DataStats"/> read image sizes from
    /// headers and <see cref="DataPrepare"/> convert without decoding twice. Failures throw as in <see cref="LoadImage"/>.
    /// </summary>
    public virtual byte[]? LoadEncoded(int index) => null;

    /// <summary>Rows that the source dropped or repaired while reading.</summary>
    public virtual SourceReport Report => SourceReport.Clean;

    /// <summary>
    /// Row indices grouped by <see cref="ImageTextRecord.Image"/>: one array per distinct image, images in order of
    /// first appearance, rows in source order (Flickr8k: 6,091 arrays of 5 rows).
    /// </summary>
    public IReadOnlyList<int[]> RowsByImage()
    {
        var byImage = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<List<int>>();
        for (int i = 0; i < Count; i++)
        {
            string image = this[i].Image;
            if (!byImage.TryGetValue(image, out var rows))
            {
                byImage[image] = rows = [];
                order.Add(rows);
            }
            rows.Add(i);
        }
        return [.. order.Select(rows => rows.ToArray())];
    }
}

/// <summary>What a source skipped or repaired while reading its index file.</summary>
/// <param name="EmptyCaptionsSkipped">Rows dropped because the caption was empty or whitespace.</param>
/// <param name="InvalidUtf8Lines">1-based line numbers of rows whose bytes were not valid UTF-8; the invalid bytes
/// were replaced by U+FFFD and the row kept.</param>
/// <param name="EmptyCaptionLines">1-based line numbers of the dropped empty-caption rows, where the source has lines.</param>
public sealed record SourceReport(int EmptyCaptionsSkipped, IReadOnlyList<int> InvalidUtf8Lines, IReadOnlyList<int>? EmptyCaptionLines = null)
{
    /// <summary>Nothing skipped, nothing repaired.</summary>
    public static readonly SourceReport Clean = new(0, []);
}
