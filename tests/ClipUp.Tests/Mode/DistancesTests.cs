using ClipUp.Mode;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public class DistancesTests
{
    [Fact]
    public void SquaredDistancesMatchAHandComputation()
    {
        // x0 = (1, 0), x1 = (0, 2); c0 = (0, 0), c1 = (1, 1).
        // ‖x0−c0‖² = 1, ‖x0−c1‖² = 0 + 1 = 1, ‖x1−c0‖² = 4, ‖x1−c1‖² = 1 + 1 = 2.
        var d2 = Distances.SquaredEuclidean(tensor(new float[] { 1, 0, 0, 2 }).view(2, 2), tensor(new float[] { 0, 0, 1, 1 }).view(2, 2));
        Assert.Equal([1f, 1, 4, 2], d2.data<float>().ToArray());
    }

    [Fact]
    public void ChunkedNearestEqualsTheFullArgmin()
    {
        var x = randn(37, 5, generator: new Generator(1));
        var c = randn(4, 5, generator: new Generator(2));
        var nearest = Distances.Nearest(x, c, chunkRows: 8);
        Assert.True(nearest.Index.Equals(Distances.SquaredEuclidean(x, c).argmin(1)));
    }

    [Fact]
    public void MismatchedWidthsAreRejectedWithBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Distances.SquaredEuclidean(zeros(3, 4), zeros(2, 5)));
        Assert.Contains("[3, 4] and [2, 5]", e.Message);
    }
}
