using ClipUp.Moe;

namespace ClipUp.Tests.Moe;

public class CapacityTests
{
    [Theory]
    // C = max(min, ceil(K·T·CF/E)), capped at T.
    [InlineData(7, 3, 1, 1.0, 1, 3)]     // ceil(7/3) = ceil(2.33) = 3
    [InlineData(7, 3, 1, 0.5, 1, 2)]     // ceil(3.5/3) = ceil(1.17) = 2
    [InlineData(6, 3, 2, 1.0, 1, 4)]     // 2·6·1/3 = 4 exactly (no float round-up to 5)
    [InlineData(3, 3, 2, 1.0, 1, 2)]     // vmoe's BPR example: ceil(2·3/3) = 2
    [InlineData(64, 8, 2, 1.25, 1, 20)]  // ceil(2·64·1.25/8) = 20
    [InlineData(10, 4, 1, 0.1, 4, 4)]    // ceil(0.25) = 1, raised to MinCapacity 4
    [InlineData(5, 2, 2, 4.0, 1, 5)]     // ceil(2·5·4/2) = 20, capped at T = 5
    [InlineData(5, 2, 1, 0.01, 9, 5)]    // MinCapacity 9 is also capped at T
    public void CapacityFollowsTheGShardFormula(int tokens, int experts, int topK, double factor, int min, int expected) =>
        Assert.Equal(expected, Capacity.Compute(tokens, experts, topK, factor, min));

    [Theory]
    [InlineData(0.0, "capacity factor 0")]
    [InlineData(-1.0, "capacity factor -1")]
    public void ANonPositiveFactorThrowsWithItsValue(double factor, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Capacity.Compute(128, 32, 1, factor));
        Assert.Contains(expected, e.Message);
        Assert.Contains("capacity < 1", e.Message);
    }

    [Fact]
    public void TopKAboveTheExpertCountThrows() =>
        Assert.Contains("topK 3 must be in 1..2", Assert.Throws<ArgumentException>(() => Capacity.Compute(8, 2, 3, 1.0)).Message);
}
