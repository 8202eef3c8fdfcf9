using ClipUp.Stats;

namespace ClipUp.Tests.Stats;

public class PairedBootstrapTests
{
    private static SeedDifferences Constant(double d, int items = 50) => new([Enumerable.Repeat(d, items).ToArray()]);

    [Fact]
    public void WithoutItemNoiseTheIntervalIsTheRangeOfTheSeedMeansOfThreeSeeds()
    {
        // Hand count: a replicate averages 3 seeds drawn from {1, 2, 3}; the mean is 1 only for (1,1,1), probability
        // 1/27 = 3.7% > 2.5%, so the 2.5th percentile is 1, and by symmetry the 97.5th is 3.
        var i = PairedBootstrap.Compute([Constant(1), Constant(2), Constant(3)], replicates: 4000);
        Assert.Equal(2.0, i.Mean, 12);
        Assert.Equal(1.0, i.Lower, 9);
        Assert.Equal(3.0, i.Upper, 9);
        Assert.Equal([1.0, 2.0, 3.0], i.SeedMeans);
    }

    [Fact]
    public void OneSeedGivesTheNormalIntervalOfAMeanOfItems()
    {
        // 400 items, half +100 and half 0 points: mean 50, standard error 50/√400 = 2.5, so ≈ 50 ± 1.96·2.5 = [45.1, 54.9].
        var items = Enumerable.Range(0, 400).Select(k => k % 2 == 0 ? 100.0 : 0.0).ToArray();
        var i = PairedBootstrap.Compute([new SeedDifferences([items])], replicates: 4000);
        Assert.Equal(50.0, i.Mean, 9);
        Assert.InRange(i.Lower, 44.3, 45.9);
        Assert.InRange(i.Upper, 54.1, 55.7);
    }

    [Fact]
    public void ItemSetsWeighEquallyWhateverTheirSize()
    {
        // Mean recall averages the two directions: 10 items of +4 and 1000 items of 0 give +2, not ≈ +0.04.
        var d = new SeedDifferences([Enumerable.Repeat(4.0, 10).ToArray(), new double[1000]]);
        Assert.Equal(2.0, d.Mean, 12);
        Assert.Equal(2.0, PairedBootstrap.Compute([d]).Mean, 12);
    }

    [Fact]
    public void TheSameInputsGiveTheSameInterval()
    {
        var seeds = new[] { new SeedDifferences([[1, -2, 3, 0.5]]), new SeedDifferences([[0, 1, 1, -1]]) };
        Assert.Equal(PairedBootstrap.Compute(seeds), PairedBootstrap.Compute(seeds), new IntervalComparer());
    }

    [Fact]
    public void NoSeedsIsAnErrorThatSaysWhy()
    {
        var e = Assert.Throws<ArgumentException>(() => PairedBootstrap.Compute([]));
        Assert.Contains("at least one seed", e.Message);
    }

    private sealed class IntervalComparer : IEqualityComparer<Interval>
    {
        public bool Equals(Interval? a, Interval? b) => a!.Mean == b!.Mean && a.Lower == b.Lower && a.Upper == b.Upper;
        public int GetHashCode(Interval i) => i.Mean.GetHashCode();
    }
}

public class ClaimStatusTests
{
    private static Interval Of(double lo, double hi) => new((lo + hi) / 2, lo, hi, 0.95, 3, 2000, []);

    [Theory]
    [InlineData(0.1, 2.0, +1, ClaimStatus.Holds)]
    [InlineData(-2.0, -0.1, +1, ClaimStatus.Reversed)]
    [InlineData(-0.5, 1.5, +1, ClaimStatus.Inconclusive)]
    [InlineData(0.0, 1.5, +1, ClaimStatus.Inconclusive)]       // touching zero is not excluding it
    [InlineData(-2.0, -0.1, -1, ClaimStatus.Holds)]            // a claim that the variant is lower
    [InlineData(0.1, 2.0, -1, ClaimStatus.Reversed)]
    public void TheStatusIsWhereTheIntervalLiesRelativeToZero(double lo, double hi, int expected, ClaimStatus status) =>
        Assert.Equal(status, ClaimStatusRule.Decide(Of(lo, hi), expected));

    [Fact]
    public void ASignOtherThanPlusOrMinusOneIsRefused() =>
        Assert.Throws<ArgumentException>(() => ClaimStatusRule.Decide(Of(0, 1), 0));
}

public class ItemMetricsTests
{
    [Fact]
    public void MeanRecallFromRanksEqualsTheMeanOfTheSixRecalls()
    {
        // T→I ranks 0, 3, 7, 20: R@1 25, R@5 50, R@10 75; I→T ranks 0, 0: all 100. Mean of six = (25+50+75+300)/6 = 75.
        var ranks = new Dictionary<string, int[]> { ["retrieval.text_to_image"] = [0, 3, 7, 20], ["retrieval.image_to_text"] = [0, 0] };
        var sets = ItemMetrics.Scores("retrieval.mean_recall", ranks)!;
        Assert.Equal(75.0, sets.Average(s => s.Average()), 9);
    }

    [Fact]
    public void MeanRecallOverSeveralRetrievalTasksIsTheMeanOfEachTasksMeanRecall()
    {
        // MoDE result files keep items per task. Task a: T→I ranks 0, 3, 7, 20 (per query over K = 1, 5, 10: 100, 66.7,
        // 33.3, 0 → 50), I→T 0, 0 (100) → 75. Task b: T→I 12 (0), I→T 4 (66.7) → 33.3. Mean over tasks = (75 + 33.3)/2 = 54.17.
        var ranks = new Dictionary<string, int[]>
        {
            ["retrieval_tasks.b.text_to_image"] = [12], ["retrieval_tasks.b.image_to_text"] = [4],
            ["retrieval_tasks.a.text_to_image"] = [0, 3, 7, 20], ["retrieval_tasks.a.image_to_text"] = [0, 0],
            ["zero_shot_tasks.cifar10"] = [0],
        };
        var sets = ItemMetrics.Scores("retrieval.mean_recall", ranks)!;
        Assert.Equal(4, sets.Count);                                                  // two directions of each task, a before b
        Assert.Equal([4, 2, 1, 1], sets.Select(s => s.Length));
        Assert.Equal((75 + 100.0 / 3) / 2, sets.Average(s => s.Average()), 9);
    }

    [Fact]
    public void ZeroShotTopOneOfOneMoDETaskReadsThatTasksItems()
    {
        var ranks = new Dictionary<string, int[]> { ["zero_shot_tasks.fashion-baseColour"] = [0, 2, 0], ["zero_shot_tasks.cifar10"] = [1] };
        Assert.Equal(200.0 / 3, ItemMetrics.Scores("zero_shot_tasks.fashion-baseColour.top1", ranks)!.Single().Average(), 9);
    }

    [Fact]
    public void ZeroShotTopOneCountsRankZero()
    {
        var sets = ItemMetrics.Scores("zero_shot_attributes.articleType.top1", new Dictionary<string, int[]> { ["zero_shot_attributes.articleType"] = [0, 1, 0, 4] })!;
        Assert.Equal(50.0, sets.Single().Average(), 9);
    }

    [Fact]
    public void AMetricWhoseItemsWereNotKeptIsAbsentNotZero() =>
        Assert.Null(ItemMetrics.Scores("zero_shot.top1", new Dictionary<string, int[]> { ["retrieval.text_to_image"] = [0] }));

    [Fact]
    public void ArmsEvaluatedOnDifferentItemsAreRefused()
    {
        var a = new Dictionary<string, int[]> { ["zero_shot"] = [0, 1] };
        var b = new Dictionary<string, int[]> { ["zero_shot"] = [0, 1, 2] };
        Assert.Throws<InvalidDataException>(() => ItemMetrics.Difference("zero_shot.top1", a, b));
    }
}
