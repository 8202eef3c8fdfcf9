using ClipUp.Eval;
using ClipUp.Experiments;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public class ModeScoresTests
{
    private static Tensor M(float[] values, int rows) => tensor(values).view(rows, -1);

    [Fact]
    public void TwoHalfRightExpertsAreRightTogetherWhenWeighedEqually()
    {
        // Labels [0, 1]. Expert 0: row 0 → 0 (right), row 1 → 0 (wrong). Expert 1: row 0 → 1 (wrong), row 1 → 1 (right).
        var e0 = M([0.9f, 0.1f, 0.8f, 0.2f], 2);
        var e1 = M([0.2f, 0.3f, 0.1f, 0.9f], 2);
        // Uniform: row 0 = [0.55, 0.20] → 0 ✓, row 1 = [0.45, 0.55] → 1 ✓: 100%.
        // Paper weights [0.9, 0.1]: row 1 = [0.72 + 0.01, 0.18 + 0.09] = [0.73, 0.27] → 0 ✗: 50%.
        // Code weights [0.2, 0.8]: row 0 = [0.18 + 0.16, 0.02 + 0.24] = [0.34, 0.26] → 0 ✓, row 1 = [0.16 + 0.08, 0.04 + 0.72] → 1 ✓.
        var routing = new TaskRouting(tensor(new[] { 0.9f, 0.1f }), tensor(new[] { 0.2f, 0.8f }));
        var s = ModeScores.ZeroShot([e0, e1], [0, 1], routing);
        Assert.Equal(50, s["expert_0"].Top1);
        Assert.Equal(50, s["expert_1"].Top1);
        Assert.Equal(100, s["uniform"].Top1);
        Assert.Equal(50, s["routed_paper"].Top1);
        Assert.Equal(100, s["routed_code"].Top1);
        Assert.Equal(s["expert_0"], s["single_best_paper"]);    // argmax [0.9, 0.1] = expert 0
        Assert.Equal(s["expert_1"], s["single_best_code"]);     // argmax [0.2, 0.8] = expert 1
        Assert.Equal(s["expert_0"], s["oracle"]);               // a 50/50 tie goes to the lower index
        Assert.Equal(100, s["expert_0"].Top5);                  // two classes: both are in the top 5
    }

    [Fact]
    public void RecallFromSimilaritiesEqualsRetrievalFromEmbeddings()
    {
        // 7 images with 2–3 captions each (17 captions), random unit embeddings: the two paths must agree exactly.
        var g = new Generator(3);
        var images = nn.functional.normalize(randn(7, 5, generator: g), dim: 1);
        var texts = nn.functional.normalize(randn(17, 5, generator: g), dim: 1);
        int[] toImage = [0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6];
        var sims = texts.matmul(images.t());                                                        // [Q, I]
        Assert.Equal(Retrieval.Compute(images, texts, toImage), ModeScores.Recall(sims, sims.t(), toImage));
    }

    [Fact]
    public void PerQueryRoutingDecidesTextToImageAndCollectionRoutingImageToText()
    {
        // 2 images, one caption each. Expert 0 ranks correctly, expert 1 swaps the images.
        var good = M([1f, 0f, 0f, 1f], 2);                                                         // [Q, I]
        var swapped = M([0f, 1f, 1f, 0f], 2);
        var perQueryGood = M([1f, 0f, 1f, 0f], 2);                                                 // both queries → expert 0
        var routing = new TaskRouting(tensor(new[] { 0f, 1f }), tensor(new[] { 1f, 0f }), perQueryGood, M([0f, 1f, 0f, 1f], 2));
        var s = ModeScores.Retrieval([good, swapped], [0, 1], routing);
        // Paper: text→image follows expert 0 (R@1 100), image→text follows expert 1 (R@1 0).
        Assert.Equal(100, s["routed_paper"].TextToImageR1);
        Assert.Equal(0, s["routed_paper"].ImageToTextR1);
        // Code: the reverse.
        Assert.Equal(0, s["routed_code"].TextToImageR1);
        Assert.Equal(100, s["routed_code"].ImageToTextR1);
        Assert.Equal(s["expert_0"], s["oracle"]);
        Assert.Equal(s["expert_1"], s["single_best_paper"]);
    }

    [Fact]
    public void AccuracyRejectsLogitsThatDoNotMatchTheLabels()
    {
        var e = Assert.Throws<ArgumentException>(() => ModeScores.Accuracy(zeros(3, 4), [0, 1]));
        Assert.Contains("[2, C]", e.Message);
        Assert.Contains("[3, 4]", e.Message);
    }
}
