namespace ClipUp.Data;

/// <summary>Where and how to read an image-caption table (open_clip's <c>--csv-*</c> options).</summary>
/// <param name="Path">The .tsv/.csv file; its first record is the header.</param>
public sealed record CsvSourceOptions(string Path)
{
    /// <summary>Field separator: <c>'\t'</c> (open_clip's default and ours) or <c>','</c>.</summary>
    public char Separator { get; init; } = '\t';

    /// <summary>Header name of the image column (open_clip's default is "filepath"; our data sets use "image").</summary>
    public string ImageColumn { get; init; } = "image";

    /// <summary>Header name of the caption column (open_clip's default is "title"; our data sets use "caption").</summary>
    public string CaptionColumn { get; init; } = "caption";

    /// <summary>Folder that relative image paths are resolved against; null means the table's own folder.</summary>
    public string? ImageRoot { get; init; }

    /// <summary>
    /// How messages name these settings: <c>""</c> gives <c>separator</c>, <c>image_column</c>; a run config passes
    /// <c>"data."</c>, so a message names the key the user writes (<c>data.separator</c>).
    /// </summary>
    public string SettingPrefix { get; init; } = "";

    /// <summary>Throws when the options cannot describe a table.</summary>
    public CsvSourceOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
            throw new ArgumentException("CsvSourceOptions.Path is empty: give the .tsv/.csv file");
        if (string.IsNullOrEmpty(ImageColumn) || string.IsNullOrEmpty(CaptionColumn) || ImageColumn == CaptionColumn)
            throw new ArgumentException(
                $"{SettingPrefix}image_column '{ImageColumn}' and {SettingPrefix}caption_column '{CaptionColumn}' must be two different, non-empty header names");
        return this;
    }

    /// <summary>
    /// Our layout for every data set (flickr8k, fashion, synthetic): <c>dir/split.tsv</c> with images in <c>dir/images/</c>.
    /// </summary>
    public static CsvSourceOptions Split(string datasetDir, string split) =>
        new(System.IO.Path.Combine(datasetDir, split + ".tsv")) { ImageRoot = System.IO.Path.Combine(datasetDir, "images") };
}

/// <summary>
/// Image-caption rows from a delimited table with a header, with open_clip's CsvDataset semantics: one row per
/// (image, caption) pair, the image column holds a path (relative paths resolve against
/// <see cref="CsvSourceOptions.ImageRoot"/>), every other column becomes an attribute of the row.
/// The file is read once, eagerly; images are decoded on demand.
/// </summary>
/// <remarks>
/// Text policy. Invalid UTF-8 does not fail the file: the bad bytes become U+FFFD, the row is kept and its line is
/// listed in <see cref="Report"/> (one mis-encoded caption among 30,000 should not stop training, but it should be
/// visible). Rows with an empty caption are skipped and counted. A row with the wrong number of fields or an
/// empty image path is a broken table and throws <see cref="InvalidDataException"/> with the line number.
/// </remarks>
public sealed class CsvImageTextSource : ImageTextSource
{
    readonly ImageTextRecord[] _records;
    readonly SourceReport _report;

    /// <summary>Reads and indexes the table described by <paramref name="options"/>.</summary>
    public CsvImageTextSource(CsvSourceOptions options)
    {
        Options = options.Validate();
        string path = options.Path;
        string root = options.ImageRoot ?? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        string text = Csv.DecodeUtf8(File.ReadAllBytes(path));
        using var rows = Csv.Parse(text, options.Separator, path).GetEnumerator();
        if (!rows.MoveNext())
            throw new InvalidDataException($"{path}: the file is empty; expected a header with '{options.ImageColumn}' and '{options.CaptionColumn}'");
        string[] header = rows.Current.Fields;
        int imageCol = FindColumn(header, options.ImageColumn, options.SettingPrefix + "image_column", options);
        int captionCol = FindColumn(header, options.CaptionColumn, options.SettingPrefix + "caption_column", options);

        var records = new List<ImageTextRecord>();
        var invalidLines = new List<int>();
        var emptyCaptionLines = new List<int>();
        while (rows.MoveNext())
        {
            var (line, fields) = rows.Current;
            if (fields.Length != header.Length)
                throw new InvalidDataException(
                    $"{path} line {line}: {fields.Length} fields but the header has {header.Length} " +
                    $"(separator {Csv.Escape(options.Separator)}; quote fields that contain it)");
            if (Array.Exists(fields, f => f.Contains('\uFFFD')))
                invalidLines.Add(line);
            if (string.IsNullOrWhiteSpace(fields[captionCol]))
            {
                emptyCaptionLines.Add(line);
                continue;
            }
            string image = fields[imageCol];
            if (string.IsNullOrWhiteSpace(image))
                throw new InvalidDataException($"{path} line {line}: the '{options.ImageColumn}' field is empty");
            records.Add(new ImageTextRecord(System.IO.Path.Combine(root, image), fields[captionCol],
                Attributes(header, fields, imageCol, captionCol)));
        }
        _records = [.. records];
        _report = new SourceReport(emptyCaptionLines.Count, invalidLines, emptyCaptionLines);
    }

    /// <summary>The options this source was read with.</summary>
    public CsvSourceOptions Options { get; }

    /// <inheritdoc/>
    public override int Count => _records.Length;

    /// <inheritdoc/>
    public override ImageTextRecord this[int index] => _records[index];

    /// <inheritdoc/>
    public override SourceReport Report => _report;

    /// <summary>Decodes the image file of row <paramref name="index"/> (<see cref="ImageDecoder.DecodeFile"/>).</summary>
    public override RgbImage LoadImage(int index, ImageDecoderOptions decoder)
        => ImageDecoder.DecodeFile(_records[index].Image, decoder);

    /// <summary>The bytes of row <paramref name="index"/>'s image file.</summary>
    public override byte[] LoadEncoded(int index) => File.ReadAllBytes(_records[index].Image);

    static int FindColumn(string[] header, string column, string option, CsvSourceOptions options)
    {
        int index = Array.IndexOf(header, column);
        if (index >= 0)
            return index;
        string found = string.Join(", ", header.Select(h => $"'{h}'"));
        char other = options.Separator == '\t' ? ',' : '\t';
        string hint = header.Length == 1 && header[0].Contains(other)
            ? $"; the header looks {Csv.Escape(other)}-separated: set {options.SettingPrefix}separator to {Csv.Escape(other)}"
            : $"; set {option} to one of the columns found";
        throw new InvalidDataException(
            $"{options.Path}: no column '{column}' ({option}) in the header; columns found: [{found}] " +
            $"(separator {Csv.Escape(options.Separator)}){hint}");
    }

    static IReadOnlyDictionary<string, string> Attributes(string[] header, string[] fields, int imageCol, int captionCol)
    {
        if (header.Length == 2)
            return ImageTextRecord.NoAttributes;
        var attributes = new Dictionary<string, string>(header.Length - 2, StringComparer.Ordinal);
        for (int c = 0; c < header.Length; c++)
            if (c != imageCol && c != captionCol)
                attributes[header[c]] = fields[c];
        return attributes.AsReadOnly();
    }
}
