using ClipUp.Mode;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public class TfIdfEmbedderTests
{
    // Words of ≥ 2 letters: d0 = {red, cat}, d1 = {red, dog}, d2 = {dog, dog}. N = 3; df: cat 1, dog 2, red 2.
    // idf = ln((1 + 3)/(1 + df)) + 1: cat = ln 2 + 1 = 1.6931472, dog = red = ln(4/3) + 1 = 1.2876821.
    private static readonly string[] Corpus = ["a red cat", "A red dog", "dog dog"];

    [Fact]
    public void TopVocabularyRowsEqualAHandComputedTfIdf()
    {
        // Features alphabetical: cat, dog, red. d0 = (1.6931472, 0, 1.2876821)/2.1271748 = (0.7959605, 0, 0.6053485).
        // d2: sublinear tf 1 + ln 2, only "dog" → (0, 1, 0).
        var embedder = TfIdfEmbedder.Fit(Corpus, dimension: 3);
        Assert.Equal(["cat", "dog", "red"], embedder.Vocabulary.Terms);
        Assert.Equal(1.6931472, embedder.Vocabulary.Idf[0], 6);
        var e = embedder.Embed(Corpus);
        Assert.Equal(new long[] { 3, 3 }, e.shape);
        Assert.True(allclose(e[0], tensor(new float[] { 0.7959605f, 0, 0.6053485f }), 1e-6, 1e-6));
        Assert.True(allclose(e[2], tensor(new float[] { 0, 1, 0 })));
    }

    [Fact]
    public void MaxFeaturesKeepsTheMostFrequentTerms()
    {
        // Total counts: dog 3, red 2, cat 1 → a 2-wide vocabulary is {dog, red}.
        Assert.Equal(["dog", "red"], TfIdfEmbedder.Fit(Corpus, dimension: 2).Vocabulary.Terms);
    }

    [Fact]
    public void HashedRowsHaveTheRequestedWidthAndUnitNorm()
    {
        var embedder = TfIdfEmbedder.Fit(Corpus, dimension: 16, TfIdfProjection.Hashing);
        var e = embedder.Embed(Corpus);
        Assert.Equal(new long[] { 3, 16 }, e.shape);
        Assert.True(allclose(e.norm(1), ones(3), 1e-6, 1e-6));
        Assert.Equal(1, (e[2] != 0).sum().item<long>());   // one word → one column of ±1
        Assert.Equal(1f, e[2].abs().max().item<float>(), 6);
        Assert.StartsWith("tfidf:Hashing:16:", embedder.Name);
    }

    [Fact]
    public void ACaptionWithoutKnownWordsIsAZeroRow()
    {
        var e = TfIdfEmbedder.Fit(Corpus, dimension: 3).Embed(["zebra"]);
        Assert.Equal([0f, 0, 0], e.data<float>().ToArray());
    }

    [Fact]
    public void RawTermFrequencyIsAvailable()
    {
        // tf = 2 for "dog dog" instead of 1 + ln 2; after normalisation the single-word row is the same, so test a mix:
        // "dog dog red" → (0, 2·1.2876821, 1.2876821)/‖·‖ = (0, 2, 1)/√5.
        var v = TfIdfVocabulary.Fit(Corpus, new TfIdfOptions(SublinearTf: false)).Vector("dog dog red");
        Assert.Equal([1, 2], v.Select(p => p.Feature));
        Assert.Equal(2 / Math.Sqrt(5), v[0].Weight, 12);
        Assert.Equal(1 / Math.Sqrt(5), v[1].Weight, 12);
    }
}
