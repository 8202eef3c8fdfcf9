using ClipUp.Mode;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

/// <summary>Streaming over batches read lazily from disk must free each batch, or data larger than memory cannot stream.</summary>
[Collection("TorchGlobal")]
public sealed class StreamingLeakTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"clipup-leak-{Guid.NewGuid():N}.emb");

    public StreamingLeakTests()
    {
        var (x, _) = ModeTestData.Planted([30, 30], dim: 4, noise: 0.1, seed: 1);
        EmbeddingFile.Write(path, x);
    }

    public void Dispose() => File.Delete(path);

    [Fact]
    public void AssigningShardsFromDiskLeavesNoBatchAlive()
    {
        using var outer = NewDisposeScope();
        var clustering = new ExpertClustering(eye(2, 4), eye(2, 4), tensor(new long[] { 0, 1 }), "test");
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var a = ExpertShards.Assign(EmbeddingFile.ReadBatches(path, 16), clustering);
        Assert.Equal(60, a.Expert.Length);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void TheOnlineFitFromDiskKeepsOnlyItsCentres()
    {
        using var outer = NewDisposeScope();
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var fit = BalancedKMeans.FitOnline(EmbeddingFile.ReadBatches(path, 20), new KMeansOptions(2), new Generator(1));
        Assert.Equal(60, fit.Rows);
        Assert.Equal(before + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);   // the centres
    }
}
