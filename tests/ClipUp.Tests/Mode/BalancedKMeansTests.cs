using ClipUp.Mode;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public class BalancedKMeansTests
{
    [Theory]
    [InlineData(KMeansInit.RandomPoints)]
    [InlineData(KMeansInit.KMeansPlusPlus)]
    public void BalancedKMeansRecoversPlantedEqualClustersWithExactSizes(KMeansInit init)
    {
        // 6 planted clusters of 50 unit vectors in 16-d; balanced sizes must be exactly 300/6 = 50.
        var (x, truth) = ModeTestData.Planted([50, 50, 50, 50, 50, 50], dim: 16, noise: 0.08, seed: 11);
        var fit = BalancedKMeans.Fit(x, new KMeansOptions(6, Init: init), new Generator(1));
        var labels = ModeTestData.ToInts(fit.Assignment);
        Assert.True(ClusteringMetrics.AdjustedRandIndex(truth, labels) >= 0.95);
        Assert.All(Enumerable.Range(0, 6), k => Assert.Equal(50, labels.Count(l => l == k)));
    }

    [Fact]
    public void BalancedSizesStayWithinOneOfNOverKWhenClustersAreUneven()
    {
        // 130 points in planted clusters of 70/40/20 split into K = 4: ⌊130/4⌋ = 32, 130 mod 4 = 2 → sizes {33, 33, 32, 32}.
        var (x, _) = ModeTestData.Planted([70, 40, 20], dim: 8, noise: 0.1, seed: 2);
        var fit = BalancedKMeans.Fit(x, new KMeansOptions(4), new Generator(4));
        var sizes = bincount(fit.Assignment, minlength: 4).data<long>().OrderBy(s => s).ToArray();
        Assert.Equal([32L, 32, 33, 33], sizes);
    }

    [Fact]
    public void PlainKMeansRecoversPlantedUnevenClusters()
    {
        var (x, truth) = ModeTestData.Planted([120, 60, 20], dim: 16, noise: 0.08, seed: 5);
        var fit = BalancedKMeans.Fit(x, new KMeansOptions(3, Balanced: false, Init: KMeansInit.KMeansPlusPlus), new Generator(2));
        Assert.True(ClusteringMetrics.AdjustedRandIndex(truth, ModeTestData.ToInts(fit.Assignment)) >= 0.95);
        Assert.True(fit.Converged);
    }

    [Fact]
    public void TheSameSeedGivesTheSameCentresAndAnotherSeedStartsElsewhere()
    {
        var (x, _) = ModeTestData.Planted([40, 40, 40, 40], dim: 8, noise: 0.3, seed: 9);
        var options = new KMeansOptions(4, MaxIterations: 1);
        var a = BalancedKMeans.Fit(x, options, new Generator(123));
        var b = BalancedKMeans.Fit(x, options, new Generator(123));
        var c = BalancedKMeans.Fit(x, options, new Generator(124));
        Assert.True(a.Centres.Equals(b.Centres));
        Assert.False(a.Centres.Equals(c.Centres));
    }

    [Fact]
    public void TheOnlineFitStreamsBatchesAndStillRecoversThePlantedClusters()
    {
        // The reference fits file by file: init on the first batch, then refit each batch from the current centres.
        var (x, truth) = ModeTestData.Planted([60, 60, 60, 60], dim: 16, noise: 0.08, seed: 13);
        var batches = Enumerable.Range(0, 3).Select(i => x.narrow(0, i * 80, 80));
        var fit = BalancedKMeans.FitOnline(batches, new KMeansOptions(4), new Generator(3));
        Assert.Equal(240, fit.Rows);
        Assert.Equal(3, fit.IterationsPerBatch.Count);
        var labels = ModeTestData.ToInts(Distances.Nearest(x, fit.Centres, chunkRows: 50).Index);
        Assert.True(ClusteringMetrics.AdjustedRandIndex(truth, labels) >= 0.95);
    }

    [Fact]
    public void AnEmptyClusterIsReseededWithARandomPoint()
    {
        // Centre 1 receives no point: it must become one of the data points, not NaN (0/0).
        var x = tensor(new float[] { 0, 0, 1, 0, 0, 1 }).view(3, 2);
        var means = BalancedKMeans.UpdateCentres(x, tensor(new long[] { 0, 0, 0 }), 2, new Generator(1));
        Assert.Equal([1f / 3, 1f / 3], means[0].data<float>().ToArray());
        var reseeded = means[1];
        Assert.Contains(Enumerable.Range(0, 3), i => x[i].Equals(reseeded));
    }

    [Fact]
    public void TooFewPointsForTheClustersAreRejectedWithTheNumbers()
    {
        var e = Assert.Throws<ArgumentException>(() => BalancedKMeans.Fit(zeros(3, 2), new KMeansOptions(5), new Generator(1)));
        Assert.Contains("3 points for 5 clusters", e.Message);
    }
}
