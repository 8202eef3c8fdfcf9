using ClipUp.Mode;

namespace ClipUp.Tests.Mode;

public class ExpertDataSamplerTests
{
    // 200 rows alternating experts 0, 1: expert 0 owns the 100 even rows.
    private static readonly int[] Experts = Enumerable.Range(0, 200).Select(i => i % 2).ToArray();

    [Fact]
    public void AnExpertGetsItsClusterPlusTwoPercentOfTheRest()
    {
        // ⌊100 out-of-cluster rows · 0.02⌋ = 2 odd rows join the 100 even rows, sorted.
        var rows = ExpertDataSampler.Indices(Experts, 0, ExpertDataSampler.ReferenceOutOfClusterRatio, seed: 1, epoch: 0);
        Assert.Equal(102, rows.Length);
        Assert.Equal(100, rows.Count(r => r % 2 == 0));
        Assert.Equal(rows.Order(), rows);
        Assert.Equal(rows.Length, rows.Distinct().Count());
    }

    [Fact]
    public void TheDrawIsFixedBySeedAndEpochAndChangesWithTheEpoch()
    {
        var a = ExpertDataSampler.Indices(Experts, 0, 0.1, seed: 1, epoch: 0);
        var b = ExpertDataSampler.Indices(Experts, 0, 0.1, seed: 1, epoch: 0);
        var c = ExpertDataSampler.Indices(Experts, 0, 0.1, seed: 1, epoch: 1);
        Assert.Equal(a, b);
        Assert.NotEqual(a.Where(r => r % 2 == 1), c.Where(r => r % 2 == 1));
    }

    [Fact]
    public void TheFloorAppliesPerShardLikeTheReference()
    {
        // Shards of 40 rows hold 20 out-of-cluster rows each: ⌊20 · 0.02⌋ = 0, so nothing is mixed in.
        var rows = ExpertDataSampler.Indices(Experts, 0, 0.02, seed: 1, epoch: 0, shardRows: 40);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => 2 * i), rows);
    }

    [Fact]
    public void ARatioOutsideZeroToOneIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ExpertDataSampler.Indices(Experts, 0, 1.5, 0, 0));
        Assert.Contains("1.5", e.Message);
    }
}
