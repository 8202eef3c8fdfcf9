using ClipUp.Model;
using ClipUp.Moe;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Moe;

public class MoeMlpTests
{
    [Theory]
    [InlineData(DispatchPath.Sorted)]
    [InlineData(DispatchPath.OneHot)]
    public void AOneExpertMoeEqualsTheDenseMlpInOutputAndGradients(DispatchPath path)
    {
        // megablocks' test_moe_forward_vs_dense: with E = 1, K = 1 every token goes to the one expert with gate 1.
        const int d = 8, f = 16;
        using var dense = new Mlp(d, f, Activation.Gelu);
        var config = new MoeConfig { NumExperts = 1, TopK = 1, TrainCapacityFactor = 1, EvalCapacityFactor = 1, MinCapacity = 1, Dispatch = path };
        using var moe = new MoeMlp(MoeTestData.Site(d, f), config, seed: 1);
        Upcycler.UpcycleLayer(dense, moe, ExpertInit.Copy, new Generator(0));

        var g = new Generator(5);
        var x = torch.randn(3, 7, d, generator: g);
        var upstream = torch.randn(3, 7, d, generator: g);
        var xd = x.clone().requires_grad_();
        var xm = x.clone().requires_grad_();
        var yd = dense.call(xd);
        var ym = moe.call(xm);
        Assert.True(MoeTestData.MaxAbsDiff(yd, ym) < 1e-6, $"outputs differ by {MoeTestData.MaxAbsDiff(yd, ym)}");
        (yd * upstream).sum().backward();
        (ym * upstream).sum().backward();
        Assert.True(MoeTestData.MaxAbsDiff(xd.grad!, xm.grad!) < 1e-6);
        Assert.True(MoeTestData.MaxAbsDiff(dense.c_fc.weight.grad!.t(), moe.experts.c_fc_weight.grad![0]) < 1e-5);
        Assert.True(MoeTestData.MaxAbsDiff(dense.c_fc.bias!.grad!, moe.experts.c_fc_bias.grad![0]) < 1e-5);
        Assert.True(MoeTestData.MaxAbsDiff(dense.c_proj.weight.grad!.t(), moe.experts.c_proj_weight.grad![0]) < 1e-5);
        Assert.True(MoeTestData.MaxAbsDiff(dense.c_proj.bias!.grad!, moe.experts.c_proj_bias.grad![0]) < 1e-5);
    }

    [Fact]
    public void AHandRoutedLayerDropsTheTokensCountedByHandAndZeroesTheirOutput()
    {
        // Token t is the one-hot vector of its chosen expert, and the router weight is 5·I, so logits = 5·x and each token
        // picks expert [0, 0, 1, 0, 2, 0, 1][t]. C = ceil(7·0.5/3) = 2: expert 0 takes t0, t1 and drops t3, t5.
        var config = new MoeConfig
        {
            NumExperts = 3, TopK = 1, TrainCapacityFactor = 0.5, MinCapacity = 1, Aux = AuxLossWeights.None,
            Placement = MoePlacement.All,
        };
        using var moe = new MoeMlp(MoeTestData.Site(3, 4), config, seed: 1);
        using (torch.no_grad()) moe.router.weight.copy_(torch.eye(3) * 5);
        var x = nn.functional.one_hot(torch.tensor(new long[] { 0, 0, 1, 0, 2, 0, 1 }), 3).to(ScalarType.Float32).view(1, 7, 3);
        moe.train();
        var y = moe.call(x);
        var report = Assert.Single(moe.TakeReports());
        Assert.Equal(2, report.Capacity);
        Assert.Equal(2f, report.DroppedTokens.item<float>());
        Assert.Equal(2f, report.DroppedAssignments.item<float>());
        Assert.Equal([4f, 2, 1], MoeTestData.Floats(report.RoutedPerExpert));
        Assert.Equal([2f, 2, 1], MoeTestData.Floats(report.TokensPerExpert));
        Assert.Equal(2 / 7f, report.DroppedFraction.item<float>(), 6);
        var rowNorms = MoeTestData.Floats(y[0].abs().sum([1]));
        Assert.Equal([false, false, false, true, false, true, false], rowNorms.Select(n => n == 0).ToArray());
    }

    [Fact]
    public void TrainingUsesTheTrainCapacityFactorAndEvalTheEvalOne()
    {
        var config = new MoeConfig { NumExperts = 4, TopK = 2, TrainCapacityFactor = 1.0, EvalCapacityFactor = 2.0, MinCapacity = 1 };
        using var moe = new MoeMlp(MoeTestData.Site(8, 16), config, seed: 1);
        var x = torch.randn(2, 10, 8);
        moe.train();
        moe.call(x);
        moe.eval();
        moe.call(x);
        // T = 20 tokens: train C = ceil(2·20·1/4) = 10, eval C = ceil(2·20·2/4) = 20.
        // Both calls route the same modality, so only the latest (eval) report is kept.
        Assert.Equal(20, Assert.Single(moe.TakeReports()).Capacity);
        moe.train();
        moe.call(x);
        Assert.Equal(10, Assert.Single(moe.TakeReports()).Capacity);
        Assert.Empty(moe.TakeReports());
    }

    [Fact]
    public void JitterAndNoiseChangeRoutingOnlyInTraining()
    {
        var config = new MoeConfig { NumExperts = 4, TopK = 2, JitterNoise = 0.5, NoiseStd = 4.0, RouterInitStd = 0.5 };
        using var router = new TopKRouter(8, config, seed: 3);
        var x = torch.randn(20, 8, generator: new Generator(1));
        router.eval();
        var a = router.call(x);
        var b = router.call(x);
        Assert.True(MoeTestData.Bitwise(a.Probs, b.Probs));
        Assert.True(MoeTestData.Bitwise(a.Logits, a.RoutingLogits));
        router.train();
        var c = router.call(x);
        Assert.False(MoeTestData.Bitwise(a.Probs, c.Probs));
        Assert.Equal(ScalarType.Float32, router.call(x.to(ScalarType.BFloat16)).Logits.dtype);
    }

    [Theory]
    [InlineData(GateNormalization.Renormalized)]
    [InlineData(GateNormalization.Raw)]
    public void RenormalisedGatesSumToOneAndRawGatesAreTheProbabilities(GateNormalization normalization)
    {
        var probs = torch.tensor(new float[,] { { .5f, .3f, .2f }, { .15f, .05f, .8f } });
        var (index, gates) = Gating.TopK(probs, 2, normalization);
        Assert.Equal([0L, 1, 2, 0], index.data<long>().ToArray());
        // Renormalised: .5/.8 = .625, .3/.8 = .375; .8/.95 = .84211, .15/.95 = .15789.
        float[] expected = normalization == GateNormalization.Renormalized ? [.625f, .375f, .8f / .95f, .15f / .95f] : [.5f, .3f, .8f, .15f];
        Assert.True(gates.allclose(torch.tensor(expected).view(2, 2), atol: 1e-6));
    }

    [Fact]
    public void SoftCapBoundsLogitsByTheCap()
    {
        var capped = Gating.SoftCap(torch.tensor(new float[] { -100, 0, 1, 100 }), 5);
        // 5·tanh(x/5): −5, 0, 5·tanh(0.2) = 0.98688, 5.
        Assert.True(capped.allclose(torch.tensor(new float[] { -5, 0, 0.98688f, 5 }), atol: 1e-4));
    }

    [Theory]
    [InlineData(DispatchPath.Sorted)]
    [InlineData(DispatchPath.OneHot)]
    public void ABf16LayerRoutesInFp32AndReturnsBf16(DispatchPath path)
    {
        // The trainer casts bf16 runs' parameters to bf16; routing and aux losses must stay fp32 (STYLE R13).
        using var moe = new MoeMlp(MoeTestData.Site(8, 16), new MoeConfig { NumExperts = 4, TopK = 2, Dispatch = path }, seed: 1);
        // A fixed input: with the global generator an unlucky draw puts two router logits within bf16's rounding of each
        // other, the token changes expert and the comparison below fails for a reason that is not the property tested.
        var x = torch.randn(2, 5, 8, generator: new Generator(11));
        var y32 = moe.call(x);
        moe.to(ScalarType.BFloat16);
        var y16 = moe.call(x.to(ScalarType.BFloat16));
        Assert.Equal(ScalarType.BFloat16, y16.dtype);
        Assert.True(MoeTestData.MaxAbsDiff(y32, y16.to(ScalarType.Float32)) < 0.05);
        var report = moe.TakeReports()[0];
        Assert.Equal(ScalarType.Float32, report.AuxLoss.dtype);
        Assert.Equal(ScalarType.Float32, report.LocalEntropy.dtype);
    }

    [Fact]
    public void AWrongWidthNamesTheExpectedShape()
    {
        using var moe = new MoeMlp(MoeTestData.Site(8, 16), new MoeConfig { NumExperts = 2, TopK = 1 }, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => moe.call(torch.zeros(2, 3, 7)));
        Assert.Contains("expected [B, T, 8], got [2, 3, 7]", e.Message);
    }

    [Fact]
    public void ExpertsStartWithTheDenseInitScale()
    {
        // ClipInit: c_fc N(0, (2D)⁻¹) → std (2·64)^-½ = 0.0884; c_proj N(0, D⁻¹(2L)⁻¹) → std 64^-½ · 4^-½ = 0.0625.
        var config = new MoeConfig { NumExperts = 8, TopK = 2, RouterInitStd = 0.02 };
        using var moe = new MoeMlp(MoeTestData.Site(64, 256, layer: 1, layers: 2), config, seed: 1);
        Assert.Equal(0.0884, moe.experts.c_fc_weight.std().item<float>(), 2);
        Assert.Equal(0.0625, moe.experts.c_proj_weight.std().item<float>(), 2);
        Assert.Equal(0.02, moe.router.weight.std().item<float>(), 2);
        Assert.Equal([8L, 64], moe.router.weight.shape);
    }
}
