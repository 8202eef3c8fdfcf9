using ClipUp.Mode;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public class MetadataRouterTests
{
    // Fine centres s0 = (1, 0) → expert 0, s1 = (0, 1) → expert 1, s2 = (−1, 0) → expert 1.
    private static readonly Tensor Centres = tensor(new float[] { 1, 0, 0, 1, -1, 0 }).view(3, 2);
    private static readonly Tensor Map = tensor(new long[] { 0, 1, 1 });

    // Two classes: e0 = (1, 0) sits on s0 (d² = 0); e1 = (0.6, 0.8): d² to s0 = 0.16 + 0.64 = 0.8,
    // to s1 = 0.36 + 0.04 = 0.4, to s2 = 2.56 + 0.64 = 3.2 → nearest s1 (expert 1), d² = 0.4.
    private static readonly Tensor Classes = tensor(new float[] { 1, 0, 0.6f, 0.8f }).view(2, 2);

    [Fact]
    public void PaperWeightsEqualAHandComputation()
    {
        // |L| = 2 < 10: A is multiplied by exp(0.5 − √2) = 0.4008317.
        // a0 = 0.4008317·exp(−0/0.2) = 0.4008317 → expert 0; a1 = 0.4008317·exp(−0.4/0.2) = 0.0542467 → expert 1.
        // softmax([0.4008317, 0.0542467]): w0 = 1/(1 + exp(0.0542467 − 0.4008317)) = 0.5857892.
        var w = MetadataRouter.Paper(Classes, Centres, Map, experts: 2).data<float>().ToArray();
        Assert.Equal(0.5857892, w[0], 6);
        Assert.Equal(1 - 0.5857892, w[1], 6);
    }

    [Fact]
    public void PaperWeightsWithoutHeuristicsUseThePlainAffinity()
    {
        // a0 = exp(0) = 1, a1 = exp(−2) = 0.1353353; w0 = 1/(1 + exp(0.1353353 − 1)) = 0.7036343.
        var w = MetadataRouter.Paper(Classes, Centres, Map, 2, new PaperRouting(ClassCountHeuristics: false)).data<float>().ToArray();
        Assert.Equal(0.7036343, w[0], 6);
    }

    [Fact]
    public void CodeWeightsEqualAHandComputation()
    {
        // Non-squared distances: d0 = 0, d1 = √0.4 = 0.6324555. |L| = 2: a = exp(0.5 − √2) = 0.4008317,
        // β = 5·log10(max(10, 2 − 200)) = 5. score0 = exp((0.4008317 − 0)·5) = 7.4198486,
        // score1 = exp((0.4008317 − 0.6324555)·5) = 0.3140764. w = softmax(score / 8):
        // w0 = 1/(1 + exp((0.3140764 − 7.4198486)/8)) = 0.7085230.
        var w = MetadataRouter.Code(Classes, Centres, Map, experts: 2).data<float>().ToArray();
        Assert.Equal(0.7085230, w[0], 6);
        Assert.Equal(1 - 0.7085230, w[1], 6);
    }

    [Fact]
    public void CodeWeightsReproduceTheIllustrationInTheNotes()
    {
        // mode.md §3: 1000 classes, 700 at distance 0.3 from a centre of expert 0 and 300 at 0.5 (100 per other expert)
        // give ≈ [0.50, 0.17, 0.17, 0.17]. β = 5·log10(800) = 14.515; score0 = 700·exp(−0.3β) = 8.99,
        // score_c = 100·exp(−0.5β) = 0.0704; softmax(score/8) → 0.5041755 and 0.1652748 each.
        var centres = eye(4, 8);                                                    // centre c = basis e_c, expert c
        var rows = new List<float[]>();
        void Add(int count, int centre, float distance)
        {
            for (var i = 0; i < count; i++) { var v = new float[8]; v[centre] = 1; v[7] = distance; rows.Add(v); }
        }
        Add(700, 0, 0.3f);
        for (var c = 1; c < 4; c++) Add(100, c, 0.5f);
        var metadata = tensor(rows.SelectMany(r => r).ToArray()).view(1000, 8);
        var w = MetadataRouter.Code(metadata, centres, arange(4L), experts: 4).data<float>().ToArray();
        Assert.Equal(0.5041755, w[0], 5);
        Assert.All(w.Skip(1), v => Assert.Equal(0.1652748, v, 5));
    }

    [Fact]
    public void ManyClassesSharpenThePaperWeights()
    {
        // |L| = 300 > 200: λ = 0.2 / ln 300 = 0.0350644. 299 classes on s0 (a = 1 each) and one on s1 (d² = 0.4,
        // a = exp(−0.4/0.0350644) ≈ 1.1e-5): scores [299, 1.1e-5] → w0 = 1 to float precision.
        var rows = Enumerable.Repeat(new float[] { 1, 0 }, 299).Append([0.6f, 0.8f]).SelectMany(r => r).ToArray();
        var w = MetadataRouter.Paper(tensor(rows).view(300, 2), Centres, Map, 2).data<float>().ToArray();
        Assert.Equal(1f, w[0]);
    }

    [Fact]
    public void EachQueryRoutesItselfWithOneClass()
    {
        // Query (0.6, 0.8) alone (|L| = 1) → expert 1 with d² = 0.4.
        // Paper: a = exp(0.5 − 1)·exp(−2) = 0.0820850; w = softmax([0, 0.0820850]) = [0.4794903, 0.5205097].
        // Code: β = 5·log10(10) = 5, score1 = exp((exp(−0.5) − √0.4)·5) = 0.8784253; w0 = 1/(1 + exp(0.8784253/8)) = 0.4725768.
        // Query (1, 0) → expert 0 with d² = 0 under both.
        var clustering = new ExpertClustering(Centres, tensor(new float[] { 1, 0, -1, 0 }).view(2, 2), Map, "test");
        var queries = tensor(new float[] { 0.6f, 0.8f, 1, 0 }).view(2, 2);
        var paper = MetadataRouter.PaperPerQuery(queries, clustering);
        var code = MetadataRouter.CodePerQuery(queries, clustering);
        Assert.Equal(new long[] { 2, 2 }, paper.shape);
        Assert.Equal(0.4794903, paper[0, 0].item<float>(), 6);
        Assert.Equal(0.4725768, code[0, 0].item<float>(), 6);
        Assert.True(paper[1, 0].item<float>() > 0.5f);
        Assert.True(allclose(paper.sum(1), ones(2)));
    }

    [Fact]
    public void ControlsAreUniformArgmaxAndOracle()
    {
        Assert.Equal([0.25f, 0.25f, 0.25f, 0.25f], MetadataRouter.Uniform(4).data<float>().ToArray());
        Assert.Equal([0f, 1, 0], MetadataRouter.SingleBest(tensor(new float[] { 0.2f, 0.5f, 0.3f })).data<float>().ToArray());
        Assert.Equal([0f, 0, 1], MetadataRouter.Oracle([61.0, 60.5, 63.2]).data<float>().ToArray());
    }

    [Fact]
    public void AnEmptyTaskIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => MetadataRouter.Paper(zeros(0, 2), Centres, Map, 2));
        Assert.Contains("[0, 2]", e.Message);
    }
}
