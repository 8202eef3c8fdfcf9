using ClipUp.Training;

namespace ClipUp.Tests.Training;

public class LrScheduleTests
{
    [Fact]
    public void WarmupIsLinearThenCosineReachesTheFloorAtTheLastStep()
    {
        var s = new LrSchedule(PeakLr: 1.0, WarmupSteps: 4, TotalSteps: 14, MinLrRatio: 0.1);
        Assert.Equal(0.25, s.At(0), 12);
        Assert.Equal(1.0, s.At(3), 12);
        Assert.Equal(1.0, s.At(4), 12);                   // cos(0): the peak
        Assert.Equal(0.1 + 0.5 * 0.9, s.At(9), 12);       // halfway through the 10 decay steps: cos(π/2) = 0
        Assert.Equal(0.1, s.At(14), 12);
    }

    [Theory]
    [InlineData(-1e-3)]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    public void ANonPositiveLearningRateIsRejectedWithTheValue(double lr)
    {
        var e = Assert.Throws<ArgumentException>(() => new LrSchedule(lr, 0, 10).Validate());
        Assert.Contains("learning rate", e.Message);
    }
}
