using ClipUp.Eval;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Eval;

public class RetrievalTests
{
    [Fact]
    public void RecallFollowsTheClipBenchmarkConventionWithSeveralCaptionsPerImage()
    {
        // 3 images (e0, e1, e2); 5 texts: t0,t1 → image 0; t2,t3 → image 1; t4 → image 2.
        // Text embeddings (normalised): t0 = e0 (hit), t1 = e1 (miss: nearest is image 1), t2 = e1 (hit),
        // t3 = e2 (miss), t4 = e2 (hit).
        var images = torch.eye(3);
        var texts = torch.tensor(new float[] { 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1 }).view(5, 3);
        var m = Retrieval.Compute(images, texts, [0, 0, 1, 1, 2]);
        Assert.Equal(60.0, m.TextToImageR1, 9);   // 3 of 5 captions find their image first
        // Image→text R@1: image 0's top text is t0 (tie-free) → hit; image 1: ties t1/t2 both score 1, both belong...
        // t1 belongs to image 0, t2 to image 1: topk picks one of the tied pair, so check R@5 instead, which is exact:
        Assert.Equal(100.0, m.ImageToTextR5, 9);
        Assert.Equal(100.0, m.TextToImageR5, 9);  // only 3 images: top-5 covers all
    }

    [Fact]
    public void ImageToTextCountsAnyOfTheCaptions()
    {
        // Images e0, e1. Image 0 has captions t0 = (0.1, 1)/‖·‖ (nearer image 1) and t1 = e0; image 1 has t2 = e1.
        // Image 0's nearest caption is t1 (score 1), one of its own: any-of-captions gives a hit although t0 misses.
        // Image 1's nearest is t2 (score 1 > 0.995 for t0): hit.
        var images = torch.tensor(new float[] { 1, 0, 0, 1 }).view(2, 2);
        var texts = nn.functional.normalize(torch.tensor(new float[] { 0.1f, 1, 1, 0, 0, 1 }).view(3, 2), dim: 1);
        var m = Retrieval.Compute(images, texts, [0, 0, 1]);
        Assert.Equal(100.0, m.ImageToTextR1, 9);
        Assert.Equal(100.0 * 2 / 3, m.TextToImageR1, 9);   // t0 (image 0) is nearest image 1: miss
    }

    [Fact]
    public void PerQueryRanksReproduceEveryRecallWithoutTies()
    {
        // Random embeddings have no ties, so R@K from the ranks must equal Compute's topk recall exactly.
        var g = new Generator(7);
        var images = nn.functional.normalize(torch.randn(40, 16, generator: g), dim: -1);
        var texts = nn.functional.normalize(torch.randn(120, 16, generator: g), dim: -1);
        var toImage = Enumerable.Range(0, 120).Select(i => i % 40).ToArray();
        var m = Retrieval.Compute(images, texts, toImage);
        var r = Retrieval.Ranks(images, texts, toImage);
        double Recall(int[] ranks, int k) => 100.0 * ranks.Count(x => x < k) / ranks.Length;
        Assert.Equal(m.TextToImageR1, Recall(r.TextToImage, 1), 9);
        Assert.Equal(m.TextToImageR10, Recall(r.TextToImage, 10), 9);
        Assert.Equal(m.ImageToTextR1, Recall(r.ImageToText, 1), 9);
        Assert.Equal(m.ImageToTextR5, Recall(r.ImageToText, 5), 9);
        Assert.Equal(120, r.TextToImage.Length);
        Assert.Equal(40, r.ImageToText.Length);
    }
}
