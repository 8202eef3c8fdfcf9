using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>
/// An <see cref="ITrainingStream"/> over tensors already in memory (synthetic sets, tests, small data): each epoch is a
/// permutation drawn from (seed, epoch), batches never straddle epochs, and the last partial batch is dropped.
/// </summary>
public sealed class TensorStream : ITrainingStream
{
    private readonly Tensor images, tokens;
    private readonly int batchSize;
    private readonly long seed;
    private long[] order = [];
    private int epoch = -1;
    private long index;

    /// <param name="images">[N, 3, S, S] float32.</param>
    /// <param name="tokens">[N, T] int64.</param>
    public TensorStream(Tensor images, Tensor tokens, int batchSize, long seed)
    {
        if (images.shape[0] != tokens.shape[0])
            throw new ArgumentException($"{images.shape[0]} images but {tokens.shape[0]} token rows");
        if (batchSize < 1 || batchSize > images.shape[0])
            throw new ArgumentException($"batch size {batchSize} must be in [1, {images.shape[0]}] (the number of samples)");
        this.images = images; this.tokens = tokens; this.batchSize = batchSize; this.seed = seed;
        Seek(new StreamPosition(0, 0));
    }

    public StreamPosition Position => new(epoch, index);
    public IReadOnlyList<string> SkippedSamples { get; } = [];

    public void Seek(StreamPosition position)
    {
        epoch = position.Epoch;
        index = position.Index;
        order = EpochOrder(images.shape[0], seed, epoch);
    }

    public TrainingBatch Next()
    {
        if (index + batchSize > order.Length) Seek(new StreamPosition(epoch + 1, 0));
        var idx = torch.tensor(order.AsSpan((int)index, batchSize).ToArray());
        index += batchSize;
        return new TrainingBatch(images.index_select(0, idx), tokens.index_select(0, idx));
    }

    /// <summary>The permutation of <paramref name="n"/> samples for one epoch, a pure function of (seed, epoch).</summary>
    public static long[] EpochOrder(long n, long seed, int epoch)
    {
        // HashCode.Combine is randomised per process, so the seed is mixed by hand to stay reproducible across runs.
        var rng = new Random(unchecked((int)(seed * 1_000_003 + epoch * 7919 + 17)));
        var order = new long[n];
        for (long i = 0; i < n; i++) order[i] = i;
        rng.Shuffle(order);
        return order;
    }
}
