using System.Threading.Channels;

namespace ClipUp.Data;

/// <summary>
/// Turns an <see cref="ImageTextSource"/> into batches of preprocessed images and captions.
/// <list type="bullet">
/// <item>Deterministic: batch contents depend only on (source, config, transform, epoch, offset). The order is
/// shuffled per epoch with a seeded generator and each sample's crop uses its own generator derived from
/// (seed, epoch, unit) (<see cref="SeedMix"/>), so 1 or 8 workers give identical batches.</item>
/// <item>Parallel with bounded prefetch: up to <see cref="LoaderConfig.Workers"/> batches decode at once on pool
/// tasks; finished batches wait in a <see cref="Channel"/> of capacity <see cref="LoaderConfig.Prefetch"/> and are
/// handed out in order.</item>
/// <item>Resumable: every batch carries <see cref="ImageTextBatch.Next"/>; <see cref="Read"/> starts from any
/// <see cref="LoaderPosition"/>.</item>
/// <item>Robust: unreadable images are left out of their batch and recorded in <see cref="Errors"/>; once more
/// distinct image files than <see cref="LoaderConfig.MaxErrorFraction"/> of the source's images fail,
/// <see cref="DataErrorLimitException"/> lists them.</item>
/// </list>
/// Workers only fill managed arrays; tensors are created by the consumer (<see cref="ImageBatch.ToTensor"/>) on
/// its own thread, inside its own dispose scope.
/// </summary>
public sealed class ImageTextLoader
{
    readonly ImageTextSource _source;
    readonly EpochPlan _plan;
    readonly object _errorsLock = new();
    readonly Dictionary<string, DataError> _errors = new(StringComparer.Ordinal);
    readonly int _imageCount;

    /// <summary>Prepares a loader; nothing is decoded until a batch is requested.</summary>
    public ImageTextLoader(ImageTextSource source, LoaderConfig config, ImageTransformConfig transform)
    {
        _source = source;
        Config = config.Validate();
        Transform = transform.Validate();
        _plan = new EpochPlan(source, config.Seed, config.Shuffle, config.OneCaptionPerImage);
        _imageCount = Enumerable.Range(0, source.Count).Select(i => source[i].Image).Distinct(StringComparer.Ordinal).Count();
        if (_plan.Count == 0)
            throw new ArgumentException("the source has no rows: nothing to load", nameof(source));
        if (config.DropLast && _plan.Count < config.BatchSize)
            throw new ArgumentException(
                $"batch_size {config.BatchSize} exceeds the {_plan.Count} samples per epoch and drop_last is set, " +
                "so every epoch would be empty: lower batch_size or set drop_last to false");
    }

    /// <summary>Batching settings.</summary>
    public LoaderConfig Config { get; }

    /// <summary>Preprocessing settings.</summary>
    public ImageTransformConfig Transform { get; }

    /// <summary>Samples per epoch (images with <see cref="LoaderConfig.OneCaptionPerImage"/>, rows otherwise).</summary>
    public int SamplesPerEpoch => _plan.Count;

    /// <summary>Batches per epoch, counting a last partial batch unless <see cref="LoaderConfig.DropLast"/>.</summary>
    public int BatchesPerEpoch => Config.DropLast
        ? _plan.Count / Config.BatchSize
        : (_plan.Count + Config.BatchSize - 1) / Config.BatchSize;

    /// <summary>The distinct unreadable image files met so far, in the order the consumer received them.</summary>
    public DataErrors Errors
    {
        get
        {
            lock (_errorsLock)
                return new DataErrors(_errors.Count, [.. _errors.Values]);
        }
    }

    /// <summary>The batches of one epoch, from <paramref name="offset"/> to its end.</summary>
    public IEnumerable<ImageTextBatch> ReadEpoch(int epoch, int offset = 0, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (offset < 0 || offset > _plan.Count)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"offset must be in [0, {_plan.Count}]");
        return Run(Plan(epoch, offset, oneEpoch: true, Config.DropLast), cancel);
    }

    /// <summary>Endless batches from <paramref name="start"/> on, epoch after epoch (a trainer stops after N steps).</summary>
    public IEnumerable<ImageTextBatch> Read(LoaderPosition start, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start.Epoch);
        if (start.Offset < 0 || start.Offset > _plan.Count)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"offset must be in [0, {_plan.Count}]");
        return Refill(Run(Plan(start.Epoch, start.Offset, oneEpoch: false, dropLast: false), cancel), start);
    }

    /// <summary>
    /// Regroups decoded batches into batches of exactly <see cref="LoaderConfig.BatchSize"/> readable samples: a batch
    /// that lost samples to unreadable images is topped up from the next samples of the epoch order, so a training step
    /// never sees a short (or empty) batch. A batch never spans two epochs; the last readable samples of an epoch that
    /// do not fill a batch are dropped with <see cref="LoaderConfig.DropLast"/>, else handed out as a short batch.
    /// Each batch's <see cref="ImageTextBatch.Next"/> is the epoch offset of the first sample it did not take, so
    /// <see cref="Read"/> from there continues identically (augmentation depends on the sample, not on its batch).
    /// </summary>
    IEnumerable<ImageTextBatch> Refill(IEnumerable<ImageTextBatch> decoded, LoaderPosition start)
    {
        int b = Config.BatchSize;
        var pieces = new List<(ImageTextBatch Batch, int From, int Count)>();
        var skipped = new List<DataError>();
        int have = 0, emptyEpochs = 0;
        bool epochHadSample = false;
        var position = start;
        foreach (var batch in decoded)
        {
            skipped.AddRange(batch.Skipped);
            int from = 0;
            while (from < batch.Count)
            {
                int take = Math.Min(b - have, batch.Count - from);
                pieces.Add((batch, from, take));
                have += take;
                from += take;
                epochHadSample = true;
                if (have == b)
                {
                    var next = from == batch.Count ? batch.Next : new LoaderPosition(batch.Position.Epoch, batch.Offsets[from]);
                    yield return Concat(pieces, skipped, position, next);
                    position = next;
                    pieces.Clear();
                    skipped = [];
                    have = 0;
                }
            }
            if (batch.Next.Epoch == batch.Position.Epoch)
                continue;
            // The epoch ended: its remainder is a short batch, or dropped.
            if (have > 0 && !Config.DropLast)
            {
                yield return Concat(pieces, skipped, position, batch.Next);
                skipped = [];
            }
            pieces.Clear();
            have = 0;
            position = batch.Next;
            emptyEpochs = epochHadSample ? 0 : emptyEpochs + 1;
            epochHadSample = false;
            if (emptyEpochs >= 2)
                throw new InvalidDataException(
                    $"no image of the source could be read in a whole epoch ({_imageCount} images); see the errors above");
        }
    }

    static ImageTextBatch Concat(List<(ImageTextBatch Batch, int From, int Count)> pieces, List<DataError> skipped,
        LoaderPosition position, LoaderPosition next)
    {
        if (pieces is [var only] && only.From == 0 && only.Count == only.Batch.Count)
            return only.Batch with { Skipped = skipped, Position = position, Next = next };
        var images = ImageBatch.Concat(pieces.Select(p => (p.Batch.Images, p.From, p.Count)).ToList());
        return new ImageTextBatch(images,
            [.. pieces.SelectMany(p => p.Batch.Captions.Skip(p.From).Take(p.Count))],
            [.. pieces.SelectMany(p => p.Batch.Indices.Skip(p.From).Take(p.Count))],
            skipped, position, next)
        {
            Offsets = [.. pieces.SelectMany(p => p.Batch.Offsets.Skip(p.From).Take(p.Count))],
        };
    }

    /// <summary>One batch's worth of work: the positions of its samples in the epoch order.</summary>
    sealed record BatchPlan(int Epoch, int[] Order, int Start, int End, LoaderPosition Next);

    IEnumerable<BatchPlan> Plan(int epoch, int offset, bool oneEpoch, bool dropLast)
    {
        int n = _plan.Count, b = Config.BatchSize;
        for (; ; epoch++, offset = 0)
        {
            var order = _plan.Order(epoch);
            for (int start = offset; start < n; start += b)
            {
                int end = Math.Min(start + b, n);
                if (end - start < b && dropLast)
                    break;
                bool last = end + (dropLast ? b : 1) > n;
                yield return new BatchPlan(epoch, order, start, end, last ? new(epoch + 1, 0) : new(epoch, end));
            }
            if (oneEpoch)
                yield break;
        }
    }

    IEnumerable<ImageTextBatch> Run(IEnumerable<BatchPlan> plans, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var token = stop.Token;
        var channel = Channel.CreateBounded<Task<ImageTextBatch>>(
            new BoundedChannelOptions(Config.Prefetch) { SingleReader = true, SingleWriter = true });
        using var workers = new SemaphoreSlim(Config.Workers);
        var started = new List<Task>();
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var plan in plans)
                {
                    await workers.WaitAsync(token).ConfigureAwait(false);
                    var work = Task.Run(() =>
                    {
                        try { return Build(plan, token); }
                        finally { workers.Release(); }
                    }, CancellationToken.None);
                    lock (started)
                    {
                        started.RemoveAll(t => t.IsCompleted);
                        started.Add(work);
                    }
                    await channel.Writer.WriteAsync(work, token).ConfigureAwait(false);
                }
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            while (channel.Reader.WaitToReadAsync(cancel).AsTask().GetAwaiter().GetResult())
            {
                while (channel.Reader.TryRead(out var work))
                {
                    var batch = work.GetAwaiter().GetResult();
                    Record(batch.Skipped);
                    yield return batch;
                }
            }
        }
        finally
        {
            // The consumer stopped (end, break, exception): stop producing and let running batches finish, so no
            // background work outlives the enumeration.
            stop.Cancel();
            producer.Wait(); // never faults: it completes the channel with its exception instead
            Task[] pending;
            lock (started)
                pending = [.. started];
            Task.WhenAll(pending).ContinueWith(_ => { }, TaskScheduler.Default).Wait();
        }
    }

    ImageTextBatch Build(BatchPlan plan, CancellationToken token)
    {
        int size = Transform.Size, planned = plan.End - plan.Start, pixels = 3 * size * size;
        var floats = Config.Pixels == PixelFormat.Float32 ? new float[planned * pixels] : null;
        var bytes = Config.Pixels == PixelFormat.Uint8 ? new byte[planned * pixels] : null;
        var captions = new List<string>(planned);
        var indices = new List<int>(planned);
        var offsets = new List<int>(planned);
        var skipped = new List<DataError>();
        for (int p = plan.Start; p < plan.End; p++)
        {
            token.ThrowIfCancellationRequested();
            int unit = plan.Order[p], row = _plan.RowFor(unit, plan.Epoch);
            RgbImage image;
            try
            {
                image = _source.LoadImage(row, Config.Decoder);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                skipped.Add(new DataError(_source[row].Image, e.Message));
                continue;
            }
            var shaped = Config.Augment
                ? ImageTransforms.TrainCrop(image, Transform, SeedMix.Rng(Config.Seed, SeedStream.Augment, plan.Epoch, unit))
                : ImageTransforms.EvalCrop(image, Transform);
            int k = captions.Count;
            if (floats is not null)
                ImageTransforms.NormalizeInto(shaped, Transform, floats.AsSpan(k * pixels, pixels));
            else
                ImageTransforms.ToChwBytes(shaped, bytes.AsSpan(k * pixels, pixels));
            captions.Add(_source[row].Caption);
            indices.Add(row);
            offsets.Add(p);
        }
        int count = captions.Count;
        ImageBatch images = floats is not null
            ? new Float32ImageBatch(count, size, count == planned ? floats : floats[..(count * pixels)])
            : new Uint8ImageBatch(count, size, count == planned ? bytes! : bytes![..(count * pixels)], Transform);
        return new ImageTextBatch(images, [.. captions], [.. indices], skipped,
            new LoaderPosition(plan.Epoch, plan.Start), plan.Next) { Offsets = [.. offsets] };
    }

    void Record(IReadOnlyList<DataError> skipped)
    {
        if (skipped.Count == 0)
            return;
        DataErrors snapshot;
        lock (_errorsLock)
        {
            // Keyed by file: a bad image counts once however many epochs (or caption rows) meet it.
            foreach (var error in skipped)
                _errors.TryAdd(error.File, error);
            snapshot = new DataErrors(_errors.Count, [.. _errors.Values]);
        }
        if (snapshot.Count > Math.Floor(Config.MaxErrorFraction * _imageCount))
            throw new DataErrorLimitException(snapshot, _imageCount, Config.MaxErrorFraction);
    }
}
