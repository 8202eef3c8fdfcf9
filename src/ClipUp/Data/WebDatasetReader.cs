namespace ClipUp.Data;

/// <summary>Order of a streaming WebDataset pass (webdataset's <c>shuffle</c> stages), all seeded.</summary>
/// <param name="Seed">Seed of the shard order and of the buffer picks; with the epoch it fixes the order.</param>
public sealed record WebDatasetShuffle(int Seed)
{
    /// <summary>Visit the shards in a new seeded order every epoch (webdataset's <c>shardshuffle=True</c>).</summary>
    public bool ShuffleShards { get; init; } = true;

    /// <summary>
    /// Samples held in the shuffle buffer (webdataset's <c>shuffle(bufsize)</c>); 0 or 1 keeps tar order within the
    /// shard sequence. A buffer of size S moves a sample at most S - 1 places earlier, so it mixes neighbouring
    /// samples only: make S larger than a shard for a mix across shards.
    /// </summary>
    public int BufferSize { get; init; }

    /// <summary>Shards in spec order, samples in tar order.</summary>
    public static WebDatasetShuffle None { get; } = new(0) { ShuffleShards = false };

    /// <summary>Throws when the buffer size is negative.</summary>
    public WebDatasetShuffle Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(BufferSize);
        return this;
    }
}

/// <summary>
/// Streams WebDataset samples shard by shard with <see cref="System.Formats.Tar.TarReader"/>-based sequential reads, in an order fixed
/// by (<see cref="WebDatasetShuffle"/>, epoch): the way webdataset itself reads, for passes where an index is not
/// wanted (conversion, statistics, a first look at downloaded shards). Training through
/// <see cref="ImageTextLoader"/> uses the indexed <see cref="WebDatasetSource"/> instead (its remarks say why).
/// </summary>
public static class WebDatasetReader
{
    /// <summary>
    /// The samples of all shards, one per image (with all its captions). Samples without an image or caption member
    /// go to <paramref name="skipped"/> (if given) instead; a damaged shard throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static IEnumerable<WebDatasetSample> Read(WebDatasetOptions options, WebDatasetShuffle shuffle, int epoch = 0,
        Action<DataError>? skipped = null, CancellationToken cancel = default)
    {
        options.Validate();
        shuffle.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var shards = ShardOrder(options.ShardPaths(), shuffle, epoch);
        var samples = shards.SelectMany(shard => ReadShard(shard, options, skipped, cancel));
        return shuffle.BufferSize > 1
            ? ShuffleBuffer(samples, shuffle.BufferSize, SeedMix.Rng(shuffle.Seed, SeedStream.ShuffleBuffer, epoch, 0))
            : samples;
    }

    /// <summary>The shards of an epoch: <paramref name="shards"/> as given, or a Fisher-Yates shuffle seeded by
    /// (seed, epoch) when <see cref="WebDatasetShuffle.ShuffleShards"/> is set.</summary>
    public static IReadOnlyList<string> ShardOrder(IReadOnlyList<string> shards, WebDatasetShuffle shuffle, int epoch)
    {
        var order = shards.ToArray();
        if (!shuffle.ShuffleShards)
            return order;
        var rng = SeedMix.Rng(shuffle.Seed, SeedStream.Shards, epoch, 0);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>
    /// A shuffle buffer of <paramref name="size"/> items: once it is full, each arriving item replaces a uniformly
    /// drawn resident, which is emitted; at the end the residents leave in random order. Every item is emitted once.
    /// </summary>
    public static IEnumerable<T> ShuffleBuffer<T>(IEnumerable<T> items, int size, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var buffer = new List<T>(size);
        foreach (var item in items)
        {
            if (buffer.Count < size)
            {
                buffer.Add(item);
                continue;
            }
            int k = rng.Next(size);
            yield return buffer[k];
            buffer[k] = item;
        }
        while (buffer.Count > 0)
        {
            int k = rng.Next(buffer.Count);
            yield return buffer[k];
            buffer[k] = buffer[^1];
            buffer.RemoveAt(buffer.Count - 1);
        }
    }

    static IEnumerable<WebDatasetSample> ReadShard(string shard, WebDatasetOptions options, Action<DataError>? skipped,
        CancellationToken cancel)
    {
        foreach (var group in WebDatasetTar.Groups(shard, e => WebDatasetLayout.NeedsContent(e, options, images: true), cancel))
        {
            var layout = WebDatasetLayout.Interpret(group, options, out string reason);
            if (layout is null || layout.Captions.Count == 0)
            {
                skipped?.Invoke(new DataError(WebDatasetLayout.Id(shard, group.Key), layout is null ? reason : "every caption is empty"));
                continue;
            }
            yield return new WebDatasetSample(shard, group.Key, layout.Image.Extension, layout.Image.Content!,
                layout.Captions, layout.Attributes);
        }
    }
}
