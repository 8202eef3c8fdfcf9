namespace ClipUp.Data;

/// <summary>
/// A classification set stored as <c>root/&lt;class&gt;/&lt;image&gt;</c> (torchvision's ImageFolder): class
/// names are the sub-folder names in ordinal order, label = position in that order, and files within a class are
/// in ordinal order. Each row's caption is its class name and its attributes hold <c>class</c>, so the same
/// loader feeds zero-shot evaluation; the label of row i is <see cref="Labels"/>[i].
/// </summary>
public sealed class ImageFolderSource : ImageTextSource
{
    /// <summary>File extensions treated as images (torchvision's IMG_EXTENSIONS), compared case-insensitively.</summary>
    public static readonly IReadOnlyList<string> ImageExtensions =
        [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp", ".gif"];

    readonly ImageTextRecord[] _records;
    readonly int[] _labels;

    /// <summary>Indexes <paramref name="root"/>; throws when it is missing or holds no class folder with images.</summary>
    public ImageFolderSource(string root)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"ImageFolder root '{root}' does not exist");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Order(StringComparer.Ordinal).ToArray();
        var records = new List<ImageTextRecord>();
        var labels = new List<int>();
        for (int label = 0; label < classes.Length; label++)
        {
            var attributes = new Dictionary<string, string> { ["class"] = classes[label] }.AsReadOnly();
            var files = Directory.GetFiles(Path.Combine(root, classes[label]))
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                records.Add(new ImageTextRecord(file, classes[label], attributes));
                labels.Add(label);
            }
        }
        if (records.Count == 0)
            throw new InvalidDataException(
                $"ImageFolder root '{root}' has {classes.Length} sub-folders but no image files " +
                $"({string.Join(" ", ImageExtensions)}); expected root/<class>/<image>");
        ClassNames = classes;
        _records = [.. records];
        _labels = [.. labels];
    }

    /// <summary>Class names; label k is <c>ClassNames[k]</c>.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Label of each row.</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <inheritdoc/>
    public override int Count => _records.Length;

    /// <inheritdoc/>
    public override ImageTextRecord this[int index] => _records[index];

    /// <summary>Decodes the image file of row <paramref name="index"/>.</summary>
    public override RgbImage LoadImage(int index, ImageDecoderOptions decoder)
        => ImageDecoder.DecodeFile(_records[index].Image, decoder);

    /// <summary>The bytes of row <paramref name="index"/>'s image file.</summary>
    public override byte[] LoadEncoded(int index) => File.ReadAllBytes(_records[index].Image);
}
