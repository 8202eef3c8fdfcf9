using ClipUp.Mode;

namespace ClipUp.Tests.Mode;

public class ClusteringMetricsTests
{
    [Fact]
    public void IdenticalPartitionsUnderRenamingScoreOne()
    {
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 1, 2], [5, 5, 3, 3, 9]), 12);
    }

    [Fact]
    public void AdjustedRandIndexMatchesAHandComputation()
    {
        // A = [0,0,0,1,1,1], B = [0,0,1,1,2,2]. Contingency n_ij: (0,0)=2, (0,1)=1, (1,1)=1, (1,2)=2.
        // Σ C(n_ij,2) = 1 + 0 + 0 + 1 = 2; Σ C(a_i,2) = 3 + 3 = 6; Σ C(b_j,2) = 1 + 1 + 1 = 3; C(6,2) = 15.
        // E = 6·3/15 = 1.2; max = (6 + 3)/2 = 4.5; ARI = (2 − 1.2)/(4.5 − 1.2) = 0.8/3.3 = 0.242424…
        Assert.Equal(0.8 / 3.3, ClusteringMetrics.AdjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 12);
    }

    [Fact]
    public void LabelingsOfDifferentLengthAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ClusteringMetrics.AdjustedRandIndex([0, 1], [0]));
        Assert.Contains("2 vs 1", e.Message);
    }
}
