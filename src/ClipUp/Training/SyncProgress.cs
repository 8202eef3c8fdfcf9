namespace ClipUp.Training;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the caller's thread, in order. (.NET's Progress&lt;T&gt; posts to the
/// thread pool, so reports can arrive late or out of order, which is wrong for progress bars and step logs.)
/// </summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
