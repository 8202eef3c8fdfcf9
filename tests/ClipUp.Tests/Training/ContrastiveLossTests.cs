using ClipUp.Model;
using ClipUp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Training;

public class ContrastiveLossTests
{
    [Fact]
    public void TheLossEqualsAHandComputedThreeByThreeExample()
    {
        // Unit vectors: images e1, e2, e3; texts e1, e2 and (e1+e3)/√2. Scale s = 2.
        // Logits = s·I·Tᵀ = [[2, 0, √2], [0, 2, 0], [0, 0, √2]].
        var s2 = Math.Sqrt(2);
        var image = torch.tensor(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }).view(3, 3);
        var text = torch.tensor(new float[] { 1, 0, 0, 0, 1, 0, (float)(1 / s2), 0, (float)(1 / s2) }).view(3, 3);
        var loss = ContrastiveLoss.Compute(new ClipOutput(image, text, torch.tensor(2.0f)));
        // Image→text rows:   −log softmax picks the diagonal: row0 [2,0,√2] → lse − 2; row1 [0,2,0] → lse − 2; row2 [0,0,√2] → lse − √2.
        // Text→image rows (columns of logits): col0 [2,0,0] → lse − 2; col1 [0,2,0] → lse − 2; col2 [√2,0,√2] → lse − √2.
        static double Lse(params double[] v) => Math.Log(v.Sum(Math.Exp));
        double i2t = (Lse(2, 0, s2) - 2 + Lse(0, 2, 0) - 2 + Lse(0, 0, s2) - s2) / 3;
        double t2i = (Lse(2, 0, 0) - 2 + Lse(0, 2, 0) - 2 + Lse(s2, 0, s2) - s2) / 3;
        Assert.Equal((i2t + t2i) / 2, loss.item<float>(), 5);
    }

    [Fact]
    public void MismatchedBatchSizesAreRejectedWithBothSizes()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ContrastiveLoss.Compute(new ClipOutput(torch.zeros(3, 4), torch.zeros(2, 4), torch.tensor(1f))));
        Assert.Contains("3", e.Message);
        Assert.Contains("2", e.Message);
    }
}
