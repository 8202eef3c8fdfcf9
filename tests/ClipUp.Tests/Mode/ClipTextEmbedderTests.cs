using ClipUp.Mode;
using ClipUp.Model;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public class ClipTextEmbedderTests
{
    /// <summary>A stand-in tokenizer: [SOT, one id per word (length-based), EOT] padded to the tiny context of 32.</summary>
    private static Tensor FakeTokenize(IReadOnlyList<string> texts)
    {
        var tokens = zeros(texts.Count, 32, ScalarType.Int64);
        for (var i = 0; i < texts.Count; i++)
        {
            var words = texts[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            tokens[i, 0] = 49406L;
            for (var j = 0; j < words.Length; j++) tokens[i, j + 1] = (long)(100 + words[j].Length * 7 + words[j][0]);
            tokens[i, words.Length + 1] = 49407L;
        }
        return tokens;
    }

    [Fact]
    public void CaptionsBecomeUnitRowsOfTheEmbedWidthIndependentOfBatching()
    {
        using var model = new ClipModel(ClipConfig.Tiny, seed: 3);
        model.eval();
        string[] captions = ["a dog", "two red cars", "a dog", "snow", "people at a market"];
        var whole = new ClipTextEmbedder(model, FakeTokenize, "tiny-seed", CPU).Embed(captions);
        var batched = new ClipTextEmbedder(model, FakeTokenize, "tiny-seed", CPU, batchSize: 2).Embed(captions);
        Assert.Equal(new long[] { 5, 64 }, whole.shape);
        Assert.True(allclose(whole.norm(1), ones(5), 1e-5, 1e-5));
        Assert.True(allclose(whole, batched, 1e-5, 1e-6));
        Assert.True(whole[0].Equals(whole[2]));
        Assert.False(whole[0].Equals(whole[1]));
    }

    [Fact]
    public void TheNameCarriesTheWeightsIdentity()
    {
        using var model = new ClipModel(ClipConfig.Tiny);
        var embedder = new ClipTextEmbedder(model, FakeTokenize, "seed-epoch27", CPU);
        Assert.Equal("clip-text:seed-epoch27", embedder.Name);
        Assert.Equal(64, embedder.Dimension);
    }

    [Fact]
    public void ATokenizerReturningTheWrongRowCountIsReported()
    {
        using var model = new ClipModel(ClipConfig.Tiny);
        var embedder = new ClipTextEmbedder(model, _ => zeros(1, 32, ScalarType.Int64), "x", CPU);
        var e = Assert.Throws<ArgumentException>(() => embedder.Embed(["a", "b"]));
        Assert.Contains("returned [1, 32] for 2 captions", e.Message);
    }
}
