using static TorchSharp.torch;

namespace ClipUp.Data;

/// <summary>
/// The pixels of one batch, [B, 3, S, S] row-major, held as a managed array so loader workers never create tensors
/// (TorchSharp dispose scopes are per thread). <see cref="ToTensor"/> gives the normalised float32 tensor either way.
/// </summary>
public abstract class ImageBatch
{
    private protected ImageBatch(int count, int size)
    {
        Count = count;
        Size = size;
    }

    /// <summary>Number of images (B).</summary>
    public int Count { get; }

    /// <summary>Side of each square image (S).</summary>
    public int Size { get; }

    /// <summary>A fresh normalised float32 tensor [B, 3, S, S] on <paramref name="device"/> (CPU when null);
    /// the caller owns it.</summary>
    public abstract Tensor ToTensor(Device? device = null);

    /// <summary>The shape [B, 3, S, S].</summary>
    protected long[] Shape => [Count, 3, Size, Size];

    /// <summary>Samples [From, From + Count) of each batch, in order, as one batch of the first batch's kind.</summary>
    internal static ImageBatch Concat(IReadOnlyList<(ImageBatch Batch, int From, int Count)> pieces)
    {
        var first = pieces[0].Batch;
        int size = first.Size, pixels = 3 * size * size, count = pieces.Sum(p => p.Count), k = 0;
        switch (first)
        {
            case Float32ImageBatch:
                var floats = new float[count * pixels];
                foreach (var (batch, from, n) in pieces)
                {
                    ((Float32ImageBatch)batch).Data.AsSpan(from * pixels, n * pixels).CopyTo(floats.AsSpan(k * pixels));
                    k += n;
                }
                return new Float32ImageBatch(count, size, floats);
            case Uint8ImageBatch u8:
                var bytes = new byte[count * pixels];
                foreach (var (batch, from, n) in pieces)
                {
                    ((Uint8ImageBatch)batch).Data.AsSpan(from * pixels, n * pixels).CopyTo(bytes.AsSpan(k * pixels));
                    k += n;
                }
                return new Uint8ImageBatch(count, size, bytes, u8.Transform);
            default:
                throw new NotSupportedException($"cannot concatenate {first.GetType().Name}");
        }
    }
}

/// <summary>Pixels already normalised on the CPU.</summary>
public sealed class Float32ImageBatch : ImageBatch
{
    /// <summary>Wraps <paramref name="data"/>, which must hold B * 3 * S * S floats.</summary>
    public Float32ImageBatch(int count, int size, float[] data) : base(count, size)
    {
        if (data.Length != (long)count * 3 * size * size)
            throw new ArgumentException($"expected [{count}, 3, {size}, {size}] = {(long)count * 3 * size * size} floats, got {data.Length}");
        Data = data;
    }

    /// <summary>Normalised pixels, [B, 3, S, S].</summary>
    public float[] Data { get; }

    /// <inheritdoc/>
    public override Tensor ToTensor(Device? device = null)
    {
        var cpu = tensor(Data, Shape);
        if (device is null || device.type == TorchSharp.DeviceType.CPU)
            return cpu;
        using (cpu)
            return cpu.to(device);
    }
}

/// <summary>Raw uint8 pixels; normalised on the target device by <see cref="ImageTransforms.NormalizeOnDevice"/>.</summary>
public sealed class Uint8ImageBatch : ImageBatch
{
    /// <summary>Wraps <paramref name="data"/> (B * 3 * S * S bytes) and the normalisation to apply later.</summary>
    public Uint8ImageBatch(int count, int size, byte[] data, ImageTransformConfig transform) : base(count, size)
    {
        if (data.Length != (long)count * 3 * size * size)
            throw new ArgumentException($"expected [{count}, 3, {size}, {size}] = {(long)count * 3 * size * size} bytes, got {data.Length}");
        Data = data;
        Transform = transform;
    }

    /// <summary>Raw pixels, [B, 3, S, S].</summary>
    public byte[] Data { get; }

    /// <summary>Supplies the mean and std for normalisation.</summary>
    public ImageTransformConfig Transform { get; }

    /// <inheritdoc/>
    public override Tensor ToTensor(Device? device = null)
    {
        using var raw = tensor(Data, Shape);
        using var moved = device is null ? raw.alias() : raw.to(device);
        return ImageTransforms.NormalizeOnDevice(moved, Transform);
    }
}

/// <summary>
/// One batch from an <see cref="ImageTextLoader"/>. Row k of every field is the same sample.
/// A batch is smaller than the configured size when some of its images were unreadable (<see cref="Skipped"/>).
/// </summary>
/// <param name="Images">Pixels [B, 3, S, S].</param>
/// <param name="Captions">One caption per image.</param>
/// <param name="Indices">Source row of each sample (look up attributes or labels with it).</param>
/// <param name="Skipped">Unreadable samples that this batch left out.</param>
/// <param name="Position">Where this batch started.</param>
/// <param name="Next">Where the next batch starts: store it in a checkpoint to resume after this batch.</param>
public sealed record ImageTextBatch(ImageBatch Images, string[] Captions, int[] Indices,
    IReadOnlyList<DataError> Skipped, LoaderPosition Position, LoaderPosition Next)
{
    /// <summary>Number of samples (B).</summary>
    public int Count => Captions.Length;

    /// <summary>Each sample's offset in its epoch's order (where a resumed read continues after it).</summary>
    internal int[] Offsets { get; init; } = [];
}
