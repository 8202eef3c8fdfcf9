using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// What the router computes for T tokens, all fp32. <see cref="Logits"/> [T, E] are the clean (soft-capped) logits;
/// <see cref="RoutingLogits"/> [T, E] add the training noise when it is on (else the same tensor); <see cref="Probs"/>
/// [T, E] = softmax(RoutingLogits); <see cref="ExpertIndex"/> [T, K] (int64, first choice in column 0) and
/// <see cref="Gates"/> [T, K] are the token-choice top-k.
/// </summary>
public sealed record RouterOutput(Tensor Logits, Tensor RoutingLogits, Tensor Probs, Tensor ExpertIndex, Tensor Gates);

/// <summary>
/// The learned router: a bias-free linear map D → E (key <c>router.weight</c> [E, D], AXLearn/vmoe/megablocks), computed
/// in fp32 whatever the model's dtype (STYLE R13), then optional Switch jitter (on the input), soft cap, V-MoE noise
/// (training only), softmax over experts and top-k. Routing with these outputs (capacity, expert choice, BPR) lives in
/// static functions. Axes: T tokens, D width, E experts, K top-k.
/// </summary>
public sealed class TopKRouter : nn.Module<Tensor, RouterOutput>
{
    public readonly Parameter weight;
    private readonly MoeConfig config;
    private readonly Generator generator;

    /// <param name="width">D, the token width.</param>
    /// <param name="config">Routing settings (experts, top-k, noise, cap, init std).</param>
    /// <param name="seed">Seeds the weight init and the training noise.</param>
    public TopKRouter(int width, MoeConfig config, long seed) : base(nameof(TopKRouter))
    {
        this.config = config;
        generator = new Generator((ulong)seed);
        weight = nn.Parameter(torch.empty(config.NumExperts, width));
        // Tensor.normal_ rather than nn.init.normal_, which ignores its generator in TorchSharp 0.107.
        using (torch.no_grad()) weight.normal_(0, config.RouterInitStd, generator);
        RegisterComponents();
    }

    /// <param name="tokens">[T, D] in any float dtype.</param>
    public override RouterOutput forward(Tensor tokens)
    {
        var x = tokens.to(ScalarType.Float32);                                                        // [T, D]
        if (training && config.JitterNoise > 0) x = Gating.Jitter(x, config.JitterNoise, generator);
        var logits = Gating.SoftCap(nn.functional.linear(x, weight.to(ScalarType.Float32)), config.LogitSoftCap); // [T, E]
        var routing = training && config.NoiseStd > 0
            ? Gating.Noise(logits, config.NoiseStd / config.NumExperts, generator)                    // vmoe: std / E
            : logits;
        var probs = nn.functional.softmax(routing, -1);                                               // [T, E]
        var (index, gates) = Gating.TopK(probs, config.TopK, config.GateNormalization);               // [T, K], [T, K]
        return new RouterOutput(logits, routing, probs, index, gates);
    }
}
