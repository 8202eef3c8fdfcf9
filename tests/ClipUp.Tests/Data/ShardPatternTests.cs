using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class ShardPatternTests
{
    [Fact]
    public void ANumericRangeKeepsTheZeroPaddingOfItsEnds()
    {
        Assert.Equal(["data-000008.tar", "data-000009.tar", "data-000010.tar"], ShardPattern.Expand("data-{000008..000010}.tar"));
        Assert.Equal(["8", "9", "10"], ShardPattern.Expand("{8..10}"));
        Assert.Equal(["08", "09", "10"], ShardPattern.Expand("{08..10}"));
        Assert.Equal(["3", "2", "1"], ShardPattern.Expand("{3..1}"));
        Assert.Equal(100, ShardPattern.Expand("data-{000000..000099}.tar").Count);
    }

    [Fact]
    public void BracesMultiplyLeftmostSlowestAndNest()
    {
        Assert.Equal(["train/a-0.tar", "train/a-1.tar", "val/a-0.tar", "val/a-1.tar"], ShardPattern.Expand("{train,val}/a-{0..1}.tar"));
        Assert.Equal(["x1", "x2", "y"], ShardPattern.Expand("{x{1,2},y}"));
    }

    [Fact]
    public void DoubleColonJoinsSeveralPatterns()
    {
        Assert.Equal(["a-0.tar", "a-1.tar", "/b/c.tar", "d-2.tar", "d-3.tar"], ShardPattern.Expand("a-{0..1}.tar :: /b/c.tar::d-{2,3}.tar"));
    }

    [Fact]
    public void BracesWithoutCommaOrRangeAreLiteral()
    {
        Assert.Equal(["plain.tar"], ShardPattern.Expand("plain.tar"));
        Assert.Equal(["d-{2}.tar"], ShardPattern.Expand("d-{2}.tar"));
    }

    [Theory]
    [InlineData("data-{0..9.tar", "never closed")]
    [InlineData("data-{a..z}.tar", "integer ends")]
    [InlineData("a.tar::::b.tar", "empty pattern")]
    public void MalformedSpecsNameTheProblem(string spec, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ShardPattern.Expand(spec));
        Assert.Contains(message, e.Message);
        Assert.Contains(spec, e.Message);
    }
}
