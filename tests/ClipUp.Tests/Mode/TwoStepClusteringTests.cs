using ClipUp.Mode;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public class TwoStepClusteringTests
{
    /// <summary>Two far-apart topics, each with three sub-topics of 40 captions: 240 unit vectors in 16-d.</summary>
    private static (Tensor Points, int[] Topic, int[] SubTopic) Hierarchical(long seed)
    {
        var g = new Generator((ulong)seed);
        var topics = nn.functional.normalize(randn(2, 16, generator: g), dim: 1);
        var subs = nn.functional.normalize(topics.repeat_interleave(3, dim: 0) + 0.15 * randn(6, 16, generator: g), dim: 1);
        var sub = Enumerable.Range(0, 240).Select(i => i % 6).ToArray();
        var points = nn.functional.normalize(subs.index_select(0, tensor(sub.Select(s => (long)s).ToArray())) + 0.03 * randn(240, 16, generator: g), dim: 1);
        return (points, sub.Select(s => s / 3).ToArray(), sub);
    }

    private static TwoStepOptions SixThenTwo => new(new KMeansOptions(6), new KMeansOptions(2, MaxIterations: 100));

    [Fact]
    public void FineClustersFindSubTopicsAndExpertsFindTopics()
    {
        var (x, topic, sub) = Hierarchical(3);
        var clustering = TwoStepClustering.Fit([x.narrow(0, 0, 120), x.narrow(0, 120, 120)], SixThenTwo, new Generator(5));
        Assert.Equal((6, 2, 16), (clustering.FineClusters, clustering.Experts, clustering.Dimension));
        Assert.True(ClusteringMetrics.AdjustedRandIndex(sub, ModeTestData.ToInts(clustering.AssignFine(x))) >= 0.95);
        Assert.True(ClusteringMetrics.AdjustedRandIndex(topic, ModeTestData.ToInts(clustering.AssignExpert(x))) >= 0.95);
    }

    [Fact]
    public void EachPointGoesToTheExpertOfItsFineCentreAndEachFineCentreToItsNearestCoarseCentre()
    {
        var (x, _, _) = Hierarchical(4);
        var c = TwoStepClustering.Fit([x], SixThenTwo, new Generator(6));
        // The map is a plain argmin over coarse centres (not balanced), as the reference's predict(balanced=False).
        Assert.True(c.FineToExpert.Equals(Distances.SquaredEuclidean(c.FineCentres, c.CoarseCentres).argmin(1)));
        Assert.True(c.AssignExpert(x).Equals(c.FineToExpert.index_select(0, c.AssignFine(x))));
        Assert.Equal(6, Enumerable.Range(0, 2).Sum(e => c.FineClustersOf(e).Count));
    }

    [Fact]
    public void SavingAndLoadingRoundTripsExactly()
    {
        var (x, _, _) = Hierarchical(5);
        var c = TwoStepClustering.Fit([x], SixThenTwo, new Generator(7));
        var path = Path.Combine(Path.GetTempPath(), $"clipup-mode-{Guid.NewGuid():N}.bin");
        try
        {
            c.Save(path);
            var back = ExpertClustering.Load(path);
            Assert.True(back.FineCentres.Equals(c.FineCentres));
            Assert.True(back.CoarseCentres.Equals(c.CoarseCentres));
            Assert.True(back.FineToExpert.Equals(c.FineToExpert));
            Assert.Equal("two-step", back.Method);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AFileOfAnotherKindIsRejected()
    {
        var path = Path.Combine(Path.GetTempPath(), $"clipup-mode-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllText(path, "not a clustering file");
            var e = Assert.Throws<InvalidDataException>(() => ExpertClustering.Load(path));
            Assert.Contains("magic 'not a cl'", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void TheSameSeedGivesTheSameClustering()
    {
        var (x, _, _) = Hierarchical(6);
        var a = TwoStepClustering.Fit([x], SixThenTwo, new Generator(9));
        var b = TwoStepClustering.Fit([x], SixThenTwo, new Generator(9));
        Assert.True(a.FineCentres.Equals(b.FineCentres));
        Assert.True(a.FineToExpert.Equals(b.FineToExpert));
    }

    [Fact]
    public void OneStepMakesEachClusterItsOwnExpert()
    {
        var (x, topic, _) = Hierarchical(7);
        var c = TwoStepClustering.FitOneStep([x], new KMeansOptions(2), new Generator(1));
        Assert.Equal("one-step", c.Method);
        Assert.Equal([0L, 1], c.FineToExpert.data<long>().ToArray());
        Assert.True(ClusteringMetrics.AdjustedRandIndex(topic, ModeTestData.ToInts(c.AssignExpert(x))) >= 0.95);
    }

    [Fact]
    public void RandomSplitsHaveTheRequestedSizesAndFollowTheSeed()
    {
        var a = TwoStepClustering.RandomSplit(10, 2, new Generator(3), sizes: [4, 6]);
        Assert.Equal(4, a.Count(l => l == 0));
        Assert.Equal(a, TwoStepClustering.RandomSplit(10, 2, new Generator(3), sizes: [4, 6]));
        var equal = TwoStepClustering.RandomSplit(7, 3, new Generator(3));
        Assert.Equal([3, 2, 2], Enumerable.Range(0, 3).Select(e => equal.Count(l => l == e)));
    }

    [Theory]
    [InlineData(30_000, 2, 1000)]   // Flickr8k captions: min(1024, 30000/30)
    [InlineData(400_000_000, 4, 1024)]
    [InlineData(90, 4, 8)]           // tiny: at least 2n
    public void TheDefaultFineClusterCountScalesWithTheData(long rows, int experts, int expected)
    {
        Assert.Equal(expected, TwoStepOptions.DefaultFineClusters(rows, experts));
    }

    [Fact]
    public void MoreExpertsThanFineClustersAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => TwoStepClustering.Fit([zeros(10, 2)], new TwoStepOptions(new KMeansOptions(2), new KMeansOptions(4)), new Generator(1)));
        Assert.Contains("4 experts exceed 2 fine clusters", e.Message);
    }
}
