using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// The router's pure pieces: jitter, noise, soft cap, top-k gates and Batch Priority order. Randomness comes in through
/// an explicit <see cref="Generator"/> (CPU; the noise is moved to the input's device). Axes: T tokens, D width, E experts, K top-k.
/// </summary>
public static class Gating
{
    /// <summary>Switch Transformer jitter: <c>x · U(1−ε, 1+ε)</c>, elementwise, on the router input [T, D].</summary>
    public static Tensor Jitter(Tensor x, double epsilon, Generator generator)
    {
        var u = torch.rand(x.shape, dtype: x.dtype, generator: generator).to(x.device);
        return x * (u * (2 * epsilon) + (1 - epsilon));
    }

    /// <summary>V-MoE noise: <c>logits + N(0, σ²)</c> with σ = <paramref name="std"/> (vmoe passes noise_std / E).</summary>
    public static Tensor Noise(Tensor logits, double std, Generator generator) =>
        logits + torch.randn(logits.shape, dtype: logits.dtype, generator: generator).to(logits.device) * std;

    /// <summary>AXLearn's soft cap <c>c·tanh(logits/c)</c>; <paramref name="cap"/> 0 returns the logits unchanged.</summary>
    public static Tensor SoftCap(Tensor logits, double cap) => cap > 0 ? torch.tanh(logits / cap) * cap : logits.alias();

    /// <summary>
    /// Token-choice gates: each token's K largest probabilities [T, E] → expert index [T, K] (descending, so column 0 is
    /// the first choice) and gates [T, K], renormalised to sum to 1 or raw.
    /// </summary>
    public static (Tensor ExpertIndex, Tensor Gates) TopK(Tensor probs, int k, GateNormalization normalization)
    {
        var (gates, index) = torch.topk(probs, k, dim: -1);                                  // [T, K], [T, K]
        if (normalization == GateNormalization.Renormalized)
            gates = gates / gates.sum(-1, keepdim: true).clamp_min(1e-9);
        return (index, gates);
    }

    /// <summary>
    /// Batch Priority Routing (V-MoE §3.1, vmoe <c>_get_top_experts_per_item_common</c>): the token order [T] that sorts
    /// tokens by their largest routing probability (the raw first-choice gate, before any renormalisation), highest first;
    /// stable, so ties keep position order.
    /// </summary>
    /// <param name="probs">Routing probabilities [T, E].</param>
    public static Tensor BatchPriorityOrder(Tensor probs) =>
        torch.sort(probs.amax(-1), dim: 0, descending: true, stable: true).indices;       // [T]
}
