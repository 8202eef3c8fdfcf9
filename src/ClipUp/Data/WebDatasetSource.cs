using System.Runtime.ExceptionServices;

namespace ClipUp.Data;

/// <summary>Where one sample's image bytes lie: shard file, byte offset and length.</summary>
public readonly record struct ImageLocation(string Shard, long Offset, long Length);

/// <summary>
/// WebDataset shards as an indexable <see cref="ImageTextSource"/>, so <see cref="ImageTextLoader"/> reads them with
/// its usual guarantees (a seeded global shuffle per epoch, identical batches for any worker count, resume from a
/// <see cref="LoaderPosition"/>).
/// </summary>
/// <remarks>
/// Why an index and not a stream: webdataset itself streams (shard shuffle + a shuffle buffer), which gives only a
/// local shuffle and cannot resume mid-epoch without replaying. Local tar files allow random access, so the
/// constructor makes one fast pass over every shard with <see cref="WebDatasetTar"/> (tar headers plus the small
/// caption/json members; image bytes are skipped by seeking) and keeps, per sample, the shard and byte range of
/// its image. <see cref="LoadImage"/> then reads exactly those bytes with a positional read (thread-safe).
/// The index costs a few hundred bytes per row (the caption, the <c>shard#key</c> string, json attributes if any):
/// about 0.5 GB for 1 million samples. For a sequential pass without an index
/// (conversion, statistics, data that will not fit an index) use <see cref="WebDatasetReader"/>.
/// Rows are in shard-spec order, then tar order; attributes are the scalar fields of a <c>json</c> member; a json caption array gives one row per caption, and rows of one
/// sample share <see cref="ImageTextRecord.Image"/> = <c>shard#key</c> (so <see cref="LoaderConfig.OneCaptionPerImage"/>
/// groups them). Samples without an image or caption member are skipped and listed in <see cref="Skipped"/>; a damaged
/// tar throws <see cref="InvalidDataException"/> naming the shard.
/// </remarks>
public sealed class WebDatasetSource : ImageTextSource
{
    readonly ImageTextRecord[] _records;
    readonly ImageLocation[] _locations;

    /// <summary>Indexes every shard of <paramref name="options"/> (several shards in parallel).</summary>
    public WebDatasetSource(WebDatasetOptions options, CancellationToken cancel = default)
    {
        Options = options.Validate();
        Shards = options.ShardPaths();
        var perShard = new ShardIndex[Shards.Count];
        try
        {
            Parallel.For(0, Shards.Count, new ParallelOptions { CancellationToken = cancel },
                i => perShard[i] = Index(Shards[i], options, cancel));
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        _records = [.. perShard.SelectMany(s => s.Records)];
        _locations = [.. perShard.SelectMany(s => s.Locations)];
        Skipped = [.. perShard.SelectMany(s => s.Skipped)];
        Samples = perShard.Sum(s => s.Samples);
        Report = new SourceReport(perShard.Sum(s => s.EmptyCaptions), []);
        if (_records.Length == 0)
            throw new InvalidDataException(
                $"the {Shards.Count} shard(s) of '{options.Shards}' hold no usable sample" +
                (Skipped.Count > 0 ? $" ({Skipped.Count} skipped; first: {Skipped[0].File}: {Skipped[0].Reason})" : " (they are empty)"));
    }

    /// <summary>The options this source was indexed with.</summary>
    public WebDatasetOptions Options { get; }

    /// <summary>The shard files, in spec order.</summary>
    public IReadOnlyList<string> Shards { get; }

    /// <summary>Samples (images) indexed; fewer than <see cref="Count"/> when samples carry several captions.</summary>
    public int Samples { get; }

    /// <summary>Samples left out while indexing (no image member, no caption member, bad json), with the reason.</summary>
    public IReadOnlyList<DataError> Skipped { get; }

    /// <inheritdoc/>
    public override SourceReport Report { get; }

    /// <inheritdoc/>
    public override int Count => _records.Length;

    /// <inheritdoc/>
    public override ImageTextRecord this[int index] => _records[index];

    /// <summary>Where the image of row <paramref name="index"/> lies.</summary>
    public ImageLocation Location(int index) => _locations[index];

    /// <summary>The encoded image bytes of row <paramref name="index"/>, read straight from its shard.</summary>
    public override byte[] LoadEncoded(int index)
    {
        var at = _locations[index];
        return WebDatasetTar.ReadAt(at.Shard, at.Offset, at.Length);
    }

    /// <summary>Reads and decodes the image of row <paramref name="index"/>; errors name <c>shard#key</c>.</summary>
    public override RgbImage LoadImage(int index, ImageDecoderOptions decoder)
        => ImageDecoder.Decode(LoadEncoded(index), _records[index].Image, decoder);

    sealed record ShardIndex(List<ImageTextRecord> Records, List<ImageLocation> Locations, List<DataError> Skipped,
        int Samples, int EmptyCaptions);

    static ShardIndex Index(string shard, WebDatasetOptions options, CancellationToken cancel)
    {
        var records = new List<ImageTextRecord>();
        var locations = new List<ImageLocation>();
        var skipped = new List<DataError>();
        int samples = 0, empty = 0;
        foreach (var group in WebDatasetTar.Groups(shard, e => WebDatasetLayout.NeedsContent(e, options, images: false), cancel))
        {
            string id = WebDatasetLayout.Id(shard, group.Key);
            var layout = WebDatasetLayout.Interpret(group, options, out string reason);
            if (layout is null)
            {
                skipped.Add(new DataError(id, reason));
                continue;
            }
            empty += layout.EmptyCaptions;
            if (layout.Captions.Count == 0)
                continue;
            samples++;
            var location = new ImageLocation(shard, layout.Image.Offset, layout.Image.Length);
            foreach (var caption in layout.Captions)
            {
                records.Add(new ImageTextRecord(id, caption, layout.Attributes));
                locations.Add(location);
            }
        }
        return new ShardIndex(records, locations, skipped, samples, empty);
    }
}
