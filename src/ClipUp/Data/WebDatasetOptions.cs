namespace ClipUp.Data;

/// <summary>
/// Which WebDataset shards to read and which members of a sample hold the image and the caption.
/// A sample is the run of consecutive tar members that share a key; member <c>dir/000123.seg.png</c> has key
/// <c>dir/000123</c> and extension <c>seg.png</c> (webdataset's <c>base_plus_ext</c>: the key ends at the first dot
/// of the file name, and extensions are compared in lower case).
/// </summary>
/// <param name="Shards">Shard spec: paths with brace ranges/lists, several joined by <c>::</c>
/// (<see cref="ShardPattern"/>), e.g. <c>/data/cc3m/{000000..000331}.tar</c>.</param>
public sealed record WebDatasetOptions(string Shards)
{
    /// <summary>Image members, in order of preference (open_clip reads <c>jpg;png;jpeg;webp</c>).</summary>
    public IReadOnlyList<string> ImageExtensions { get; init; } = ["jpg", "jpeg", "png", "webp"];

    /// <summary>
    /// Caption members, in order of preference: <c>txt</c> is the caption itself (UTF-8); <c>json</c> is an
    /// object whose <see cref="JsonCaptionField"/> holds it. The first member present is used.
    /// </summary>
    public IReadOnlyList<string> CaptionExtensions { get; init; } = ["txt", "json"];

    /// <summary>
    /// Field of the <c>json</c> member that holds the caption: a string gives one row; an array of strings gives
    /// one row per element (e.g. <c>"captions"</c> in shards from <see cref="DataPrepare"/>, five per Flickr image).
    /// </summary>
    public string JsonCaptionField { get; init; } = "caption";

    /// <summary>Folder that relative shard paths resolve against; null means the current directory.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Reads every caption that <see cref="DataPrepare.ToWebDataset"/> stored (its <c>json</c> "captions").</summary>
    public static WebDatasetOptions AllCaptions(string shards) =>
        new(shards) { CaptionExtensions = ["json"], JsonCaptionField = "captions" };

    /// <summary>The shards listed in a <see cref="WebDatasetManifest"/> file, resolved against its folder.</summary>
    public static WebDatasetOptions FromManifest(string manifestPath)
    {
        var manifest = WebDatasetManifest.Read(manifestPath);
        return new WebDatasetOptions(manifest.Pattern)
        {
            BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(manifestPath)),
        };
    }

    /// <summary>Throws when the options cannot select an image and a caption.</summary>
    public WebDatasetOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(Shards))
            throw new ArgumentException("WebDatasetOptions.Shards is empty: give a shard path or pattern like data-{000000..000009}.tar");
        if (Shards.Contains("://", StringComparison.Ordinal) || Shards.StartsWith("pipe:", StringComparison.Ordinal))
            throw new ArgumentException(
                $"shard spec '{Shards}' names remote or piped shards; ClipUp reads local tar files only: download them first");
        if (ImageExtensions.Count == 0 || CaptionExtensions.Count == 0)
            throw new ArgumentException(
                $"WebDatasetOptions needs at least one image and one caption extension (got [{string.Join(", ", ImageExtensions)}] " +
                $"and [{string.Join(", ", CaptionExtensions)}])");
        var overlap = ImageExtensions.Intersect(CaptionExtensions, StringComparer.OrdinalIgnoreCase).ToList();
        if (overlap.Count > 0)
            throw new ArgumentException($"extension '{overlap[0]}' is listed both as image and as caption member");
        if (CaptionExtensions.Contains("json", StringComparer.OrdinalIgnoreCase) && string.IsNullOrEmpty(JsonCaptionField))
            throw new ArgumentException("JsonCaptionField is empty: name the json field that holds the caption (e.g. \"caption\")");
        return this;
    }

    /// <summary>The shard files, in spec order, resolved against <see cref="BaseDirectory"/>.</summary>
    public IReadOnlyList<string> ShardPaths() =>
        [.. ShardPattern.Expand(Shards).Select(p => BaseDirectory is null ? p : Path.Combine(BaseDirectory, p))];
}
