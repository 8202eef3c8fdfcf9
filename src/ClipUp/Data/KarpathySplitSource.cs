using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClipUp.Data;

/// <summary>Which split of a Karpathy JSON to read, and where its images are.</summary>
/// <param name="JsonPath"><c>dataset_coco.json</c>, <c>dataset_flickr30k.json</c> or <c>dataset_flickr8k.json</c>.</param>
/// <param name="Split"><c>train</c>, <c>val</c>, <c>test</c> or <c>restval</c>.</param>
public sealed record KarpathyOptions(string JsonPath, string Split)
{
    /// <summary>The split names Karpathy's files use.</summary>
    public static readonly IReadOnlyList<string> SplitNames = ["train", "val", "test", "restval"];

    /// <summary>Folder that <c>filepath/filename</c> resolves against; null means the JSON file's folder.</summary>
    public string? ImageRoot { get; init; }

    /// <summary>
    /// With <see cref="Split"/> = <c>train</c>, also read <c>restval</c> (COCO: 82,783 + 30,504 = 113,287 training
    /// images, the standard "Karpathy train"). Ignored for other splits.
    /// </summary>
    public bool MergeRestval { get; init; } = true;

    /// <summary>Throws when the split name is not one of <see cref="SplitNames"/>.</summary>
    public KarpathyOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(JsonPath))
            throw new ArgumentException("KarpathyOptions.JsonPath is empty: give dataset_coco.json or dataset_flickr30k.json");
        if (!SplitNames.Contains(Split))
            throw new ArgumentException($"split '{Split}' is not one of {string.Join(", ", SplitNames)}", nameof(Split));
        return this;
    }

    /// <summary>The split names whose images are read.</summary>
    public IReadOnlyList<string> Splits => Split == "train" && MergeRestval ? ["train", "restval"] : [Split];
}

/// <summary>
/// One split of a Karpathy split file (Karpathy &amp; Fei-Fei, "Deep Visual-Semantic Alignments", CVPR 2015, the
/// standard COCO/Flickr30k retrieval splits): <c>{"images": [{"filepath"?, "filename", "split", "sentences":
/// [{"raw"}, ...]}, ...]}</c>. One row per sentence (COCO: 5 to 7 per image), rows of an image together, images in
/// file order; <see cref="ImageTextRecord.Image"/> = root/filepath/filename and attribute <c>split</c> holds the
/// image's split (<c>restval</c> rows stay recognisable after merging). Sentences are trimmed; empty ones are
/// skipped and counted in <see cref="Report"/>.
/// </summary>
public sealed class KarpathySplitSource : ImageTextSource
{
    readonly ImageTextRecord[] _records;

    /// <summary>Reads the JSON (streamed, ignoring the tokenised sentences) and keeps the chosen split.</summary>
    public KarpathySplitSource(KarpathyOptions options)
    {
        Options = options.Validate();
        string root = options.ImageRoot ?? Path.GetDirectoryName(Path.GetFullPath(options.JsonPath))!;
        KarpathyFile file;
        try
        {
            using var stream = File.OpenRead(options.JsonPath);
            file = JsonSerializer.Deserialize<KarpathyFile>(stream) ?? new KarpathyFile();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{options.JsonPath}: not a Karpathy split file ({e.Message})", e);
        }
        if (file.Images is null)
            throw new InvalidDataException($"{options.JsonPath}: no top-level \"images\" array; expected Karpathy's {{\"images\": [...]}} layout");

        var splits = options.Splits;
        var attributes = KarpathyOptions.SplitNames.ToDictionary(s => s,
            s => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["split"] = s }.AsReadOnly());
        var records = new List<ImageTextRecord>();
        var found = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int empty = 0;
        for (int i = 0; i < file.Images.Count; i++)
        {
            var image = file.Images[i];
            if (string.IsNullOrEmpty(image.Filename) || string.IsNullOrEmpty(image.Split))
                throw new InvalidDataException($"{options.JsonPath}: images[{i}] lacks \"filename\" or \"split\"");
            found[image.Split] = found.GetValueOrDefault(image.Split) + 1;
            if (!splits.Contains(image.Split))
                continue;
            string path = Path.Combine(root, image.Filepath ?? "", image.Filename);
            foreach (var sentence in image.Sentences ?? [])
            {
                string caption = sentence.Raw?.Trim() ?? "";
                if (caption.Length == 0)
                {
                    empty++;
                    continue;
                }
                records.Add(new ImageTextRecord(path, caption,
                    attributes.TryGetValue(image.Split, out var a) ? a : ImageTextRecord.NoAttributes));
            }
        }
        if (records.Count == 0)
            throw new InvalidDataException(
                $"{options.JsonPath}: no captions in split(s) {string.Join(" + ", splits)}; images per split: " +
                string.Join(", ", found.Select(p => $"{p.Key} {p.Value}")));
        _records = [.. records];
        Report = new SourceReport(empty, []);
    }

    /// <summary>The options this source was read with.</summary>
    public KarpathyOptions Options { get; }

    /// <inheritdoc/>
    public override int Count => _records.Length;

    /// <inheritdoc/>
    public override ImageTextRecord this[int index] => _records[index];

    /// <inheritdoc/>
    public override SourceReport Report { get; }

    /// <summary>Decodes the image file of row <paramref name="index"/>.</summary>
    public override RgbImage LoadImage(int index, ImageDecoderOptions decoder)
        => ImageDecoder.DecodeFile(_records[index].Image, decoder);

    /// <summary>The bytes of row <paramref name="index"/>'s image file.</summary>
    public override byte[] LoadEncoded(int index) => File.ReadAllBytes(_records[index].Image);

    sealed class KarpathyFile
    {
        [JsonPropertyName("images")] public List<KarpathyImage>? Images { get; set; }
    }

    sealed class KarpathyImage
    {
        [JsonPropertyName("filepath")] public string? Filepath { get; set; }
        [JsonPropertyName("filename")] public string? Filename { get; set; }
        [JsonPropertyName("split")] public string? Split { get; set; }
        [JsonPropertyName("sentences")] public List<KarpathySentence>? Sentences { get; set; }
    }

    sealed class KarpathySentence
    {
        [JsonPropertyName("raw")] public string? Raw { get; set; }
    }
}
