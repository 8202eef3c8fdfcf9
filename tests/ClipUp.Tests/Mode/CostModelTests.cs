using ClipUp.Mode;

namespace ClipUp.Tests.Mode;

public class CostModelTests
{
    [Theory]
    [InlineData(1, 1.0)]          // (27 + 5)/32: MoDE-1 is the dense run
    [InlineData(2, 37.0 / 32)]    // 1.156
    [InlineData(4, 47.0 / 32)]    // 1.469
    [InlineData(8, 67.0 / 32)]    // 2.094
    [InlineData(16, 107.0 / 32)]  // 3.344
    [InlineData(32, 187.0 / 32)]  // 5.844
    public void TrainingComputeIsTwentySevenPlusFiveNOverThirtyTwo(int experts, double expected)
    {
        Assert.Equal(expected, CostModel.RelativeTrainingCompute(experts), 12);
    }

    [Fact]
    public void AnotherScheduleScalesTheSameWay()
    {
        // Seed 6 of 8 epochs, 2 per expert: (6 + 3·2)/8 = 1.5.
        Assert.Equal(1.5, CostModel.RelativeTrainingCompute(3, new ModeSchedule(6, 2, 8)), 12);
    }

    [Fact]
    public void InferenceCostIsDenseForOneExpertAndAboutNTimesForMore()
    {
        // Dense: 10 images·100 + 3 classes·2 prompts·50 + 2·10·3·4 = 1000 + 300 + 240 = 1540.
        var one = CostModel.ZeroShotFlops(1, 100, 50, images: 10, classes: 3, promptsPerClass: 2, embedDim: 4, fineClusters: 8, metadataDim: 6);
        Assert.Equal(1540, one.DenseFlops);
        Assert.Equal(1.0, one.Ratio);
        // n = 2: 2·1540 + combine 2·2·10·3 = 120 + routing 2·3·8·6 = 288 → 3080 + 120 + 288 = 3488.
        var two = CostModel.ZeroShotFlops(2, 100, 50, 10, 3, 2, 4, fineClusters: 8, metadataDim: 6);
        Assert.Equal(3488, two.EnsembleFlops);
        Assert.Equal(288, two.RoutingFlops);
    }

    [Fact]
    public void ZeroExpertsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CostModel.RelativeTrainingCompute(0));
    }
}
