using ClipUp.Moe;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Moe;

public class AuxLossesTests
{
    // vmoe routing_test's gates: 4 tokens, 3 experts.
    private static Tensor VmoeGates() => torch.tensor(new float[,] { { .5f, .4f, .1f }, { .3f, .3f, .4f }, { .1f, .2f, .7f }, { .8f, .2f, .0f } });

    [Fact]
    public void Top1LoadBalanceMatchesVmoesGShardLoss()
    {
        var gates = VmoeGates();
        var (index, _) = Gating.TopK(gates, 1, GateNormalization.Raw);
        // P = [1.7, 1.1, 1.2] / 4; first choices e0, e2, e2, e0 → f = [2, 0, 2] / 4.
        // E·Σ f·P = 3 · (0.5·0.425 + 0 + 0.5·0.3) = 3 · 0.3625 = 1.0875 (vmoe: mean(f·P)·E² = same).
        Assert.Equal(1.0875, AuxLosses.LoadBalance(gates, index, LoadBalanceCounting.Top1).item<float>(), 6);
    }

    [Fact]
    public void TopKLoadBalanceCountsEveryChoiceDividedByK()
    {
        // vmoe's gates with the tie in row 2 broken: [.3, .3, .4] → [.35, .25, .4]; Σ_tokens p = [1.75, 1.05, 1.2].
        var gates = torch.tensor(new float[,] { { .5f, .4f, .1f }, { .35f, .25f, .4f }, { .1f, .2f, .7f }, { .8f, .2f, .0f } });
        var (index, _) = Gating.TopK(gates, 2, GateNormalization.Raw);
        // Top-2 choices: {e0,e1}, {e2,e0}, {e2,e1}, {e0,e1} → counts [3, 3, 2] over 8 choices, f = [3, 3, 2] / 8.
        // E·Σ f·P = 3 · (3·1.75 + 3·1.05 + 2·1.2) / (8·4) = 3 · 10.8 / 32 = 1.0125.
        Assert.Equal(1.0125, AuxLosses.LoadBalance(gates, index, LoadBalanceCounting.TopK).item<float>(), 6);
    }

    [Theory]
    [InlineData(LoadBalanceCounting.Top1)]
    [InlineData(LoadBalanceCounting.TopK)]
    public void UniformRoutingGivesLoadBalanceExactlyOne(LoadBalanceCounting counting)
    {
        // P_e = 1/E for every expert, Σ f = 1 ⇒ E·Σ f/E = 1 whatever the choices.
        var probs = torch.full(13, 4, 0.25f);
        var index = torch.tensor(new long[] { 0, 1, 2, 3, 0, 0, 0, 1, 1, 2, 3, 3, 3, 2, 1, 0, 0, 0, 2, 3, 1, 1, 2, 2, 0, 3 }).view(13, 2);
        Assert.Equal(1.0f, AuxLosses.LoadBalance(probs, index, counting).item<float>());
    }

    [Fact]
    public void ImportanceLossMatchesVmoe()
    {
        // Σ_tokens p = [1.7, 1.1, 1.2]; mean 4/3; population var = ((.3667)² + (.2333)² + (.1333)²)/3 = 0.068889;
        // CV² = 0.068889 / 1.777778 = 0.03875.
        Assert.Equal(0.03875, AuxLosses.Importance(VmoeGates()).item<float>(), 6);
    }

    [Fact]
    public void LoadLossMatchesVmoesNoiseBasedFormula()
    {
        // vmoe routing_test: 3 tokens, 3 experts, k = 2, σ = 0.1. The threshold of each token is its 2nd largest noisy
        // logit; p = 1 − Φ((threshold − logit)/σ); p_mean = [0.999, 0.277, 0.234]; CV² = 0.48573864536489236.
        var logits = torch.tensor(new float[,] { { .9f, .06f, .04f }, { .7f, .18f, .12f }, { .85f, .05f, .1f } });
        var noise = torch.tensor(new float[,] { { -.037f, .026f, -.018f }, { -.074f, .045f, -.015f }, { -.067f, -.059f, .073f } });
        Assert.Equal(0.48573864536489236, AuxLosses.Load(logits, logits + noise, 0.1, 2).item<float>(), 5);
    }

    [Fact]
    public void ZLossIsTheMeanSquaredLogSumExp()
    {
        // Row 1: log(e⁰ + e⁰) = ln 2; row 2: log(3 + 1) = 2 ln 2. Mean of squares = (ln²2 + 4 ln²2)/2 = 2.5 ln²2 = 1.2011325.
        var logits = torch.tensor(new float[,] { { 0, 0 }, { (float)Math.Log(3), 0 } });
        Assert.Equal(2.5 * Math.Log(2) * Math.Log(2), AuxLosses.ZLoss(logits).item<float>(), 5);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void UniformRoutingHasEntropyLnEBothLocallyAndGlobally(int experts)
    {
        var probs = torch.full(5, experts, 1f / experts);
        Assert.Equal(Math.Log(experts), AuxLosses.LocalEntropy(probs).item<float>(), 5);
        Assert.Equal(Math.Log(experts), AuxLosses.GlobalEntropy(probs).item<float>(), 5);
        // τ = 1 nat: max(0, 1 − ln E) = 1 − ln 2 = 0.3069 for E = 2, and 0 for E = 8 (ln 8 = 2.08 > τ).
        Assert.Equal(Math.Max(0, 1 - Math.Log(experts)), AuxLosses.LimoeGlobal(probs, 1.0).item<float>(), 5);
    }

    [Fact]
    public void ConfidentTokensHaveLowLocalEntropyButCanStillSpreadGlobally()
    {
        // Two one-hot tokens on different experts: each H(p_t) = 0, the mean p̄ = [½, ½] has H = ln 2.
        var probs = torch.tensor(new float[,] { { 1, 0 }, { 0, 1 } });
        Assert.Equal(0.0, AuxLosses.LocalEntropy(probs).item<float>(), 6);
        Assert.Equal(Math.Log(2), AuxLosses.GlobalEntropy(probs).item<float>(), 6);
        // Both on expert 0: p̄ = [1, 0], H = 0, so the thresholded loss at τ = 0.5 is 0.5.
        var collapsed = torch.tensor(new float[,] { { 1, 0 }, { 1, 0 } });
        Assert.Equal(0.5, AuxLosses.LimoeGlobal(collapsed, 0.5).item<float>(), 6);
    }
}
