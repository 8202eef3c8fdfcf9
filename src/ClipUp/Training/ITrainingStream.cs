using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>Where a stream is in its data order: epoch and the index of the next sample within that epoch's order.</summary>
public sealed record StreamPosition(int Epoch, long Index);

/// <summary>One training batch on the CPU: normalised images [B, 3, S, S] float32 and token ids [B, T] int64.</summary>
public sealed record TrainingBatch(Tensor Images, Tensor Tokens);

/// <summary>
/// An endless, resumable stream of training batches. Its order depends only on its seed and position, so a run
/// resumed from a checkpoint sees exactly the batches an uninterrupted run would have seen.
/// </summary>
public interface ITrainingStream
{
    /// <summary>The next batch; the caller owns (and disposes) its tensors.</summary>
    TrainingBatch Next();

    StreamPosition Position { get; }

    void Seek(StreamPosition position);

    /// <summary>Samples skipped because they could not be read, with reasons (reported by the trainer).</summary>
    IReadOnlyList<string> SkippedSamples { get; }
}
