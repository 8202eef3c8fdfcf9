using ClipUp.Mode;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public class EnsembleTests
{
    [Fact]
    public void WithOneExpertTheEnsembleEqualsTheSingleModelExactly()
    {
        var g = new Generator(1);
        var logits = randn(7, 5, generator: g);
        var sims = randn(6, 9, generator: g);
        Assert.True(Ensemble.ZeroShot([logits], MetadataRouter.Uniform(1)).Equals(logits));
        Assert.True(Ensemble.ImageToText([sims], MetadataRouter.Uniform(1)).Equals(sims));
        Assert.True(Ensemble.TextToImage([sims], ones(6, 1)).Equals(sims));
    }

    [Fact]
    public void ZeroShotLogitsAreTheRoutingWeightedSum()
    {
        // 0.25·[1, 2] + 0.75·[3, 5] = [0.25 + 2.25, 0.5 + 3.75] = [2.5, 4.25].
        var combined = Ensemble.ZeroShot([tensor(new float[] { 1, 2 }).view(1, 2), tensor(new float[] { 3, 5 }).view(1, 2)], tensor(new float[] { 0.25f, 0.75f }));
        Assert.Equal([2.5f, 4.25f], combined.data<float>().ToArray());
    }

    [Fact]
    public void TextToImageWeighsEachQueryRowByItsOwnRouting()
    {
        // Query 0 uses only expert 0 → [1, 0]; query 1 splits 0.5/0.5 → 0.5·[0, 1] + 0.5·[1, 0] = [0.5, 0.5].
        var a = tensor(new float[] { 1, 0, 0, 1 }).view(2, 2);
        var b = tensor(new float[] { 0, 1, 1, 0 }).view(2, 2);
        var combined = Ensemble.TextToImage([a, b], tensor(new float[] { 1, 0, 0.5f, 0.5f }).view(2, 2));
        Assert.Equal([1f, 0, 0.5f, 0.5f], combined.data<float>().ToArray());
    }

    [Fact]
    public void CosineLogitsNormaliseBothSides()
    {
        // image (3, 4)/5 against classes (1, 0) and (0, 2)/2: cosines 0.6 and 0.8.
        var logits = Ensemble.CosineLogits(tensor(new float[] { 3, 4 }).view(1, 2), tensor(new float[] { 1, 0, 0, 2 }).view(2, 2));
        Assert.True(allclose(logits, tensor(new float[] { 0.6f, 0.8f }).view(1, 2)));
    }

    [Fact]
    public void MismatchedWeightsAndShapesAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Ensemble.ZeroShot([zeros(2, 3), zeros(2, 3)], ones(3)));
        Assert.Contains("must be [2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ensemble.ZeroShot([zeros(2, 3), zeros(2, 4)], ones(2)));
        Assert.Contains("expert 1 output is [2, 4] but expert 0's is [2, 3]", e.Message);
    }
}
