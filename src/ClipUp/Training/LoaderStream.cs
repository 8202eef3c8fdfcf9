using ClipUp.Data;
using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>
/// An <see cref="ITrainingStream"/> over an <see cref="ImageTextLoader"/>: decoded, augmented images from the loader's
/// workers and captions tokenised on the caller's thread. Its position is the loader's (epoch, offset), so a resumed
/// run continues with the exact next batch.
/// </summary>
public sealed class LoaderStream : ITrainingStream, IDisposable
{
    private readonly ImageTextLoader loader;
    private readonly Func<IReadOnlyList<string>, Tensor> tokenize;
    private IEnumerator<ImageTextBatch>? batches;
    private LoaderPosition position;

    /// <param name="tokenize">Captions → token ids [B, T] int64 (a ClipTokenizer with the model's context length).</param>
    public LoaderStream(ImageTextLoader loader, Func<IReadOnlyList<string>, Tensor> tokenize)
    {
        this.loader = loader;
        this.tokenize = tokenize;
    }

    public StreamPosition Position => new(position.Epoch, position.Offset);

    public IReadOnlyList<string> SkippedSamples => loader.Errors.Items.Select(e => $"{e.File}: {e.Reason}").ToList();

    public void Seek(StreamPosition p)
    {
        batches?.Dispose();
        batches = null;
        position = new LoaderPosition(p.Epoch, checked((int)p.Index));
    }

    public TrainingBatch Next()
    {
        batches ??= loader.Read(position).GetEnumerator();
        if (!batches.MoveNext())
            throw new InvalidOperationException("the loader ended; it should be endless (is the data set empty?)");
        var batch = batches.Current;
        position = batch.Next;
        return new TrainingBatch(batch.Images.ToTensor(), tokenize(batch.Captions));
    }

    public void Dispose() => batches?.Dispose();
}
