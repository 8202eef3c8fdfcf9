using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// Auxiliary routing losses, each over the T tokens routed together (one MoE call: one modality of one layer), fp32
/// scalars (clip-up.md §2). Hard counts carry no gradient; the router learns through the mean probabilities.
/// Axes: T tokens, E experts, K top-k.
/// </summary>
public static class AuxLosses
{
    /// <summary>
    /// Switch/GShard load balance <c>E · Σ_e f_e · P_e</c>: f_e is the fraction of assignments that chose expert e
    /// (first choices only for <see cref="LoadBalanceCounting.Top1"/>, as Switch and vmoe's <c>_gshard_auxiliary_loss</c>;
    /// all K choices divided by K for <see cref="LoadBalanceCounting.TopK"/>, as AXLearn 2026), P_e the mean probability.
    /// Σ f = 1, so the loss is exactly 1 whenever P is uniform, and its minimum over balanced f.
    /// </summary>
    /// <param name="probs">[T, E] routing probabilities.</param>
    /// <param name="expertIndex">[T, K] int64, first choice in column 0.</param>
    public static Tensor LoadBalance(Tensor probs, Tensor expertIndex, LoadBalanceCounting counting)
    {
        long e = probs.shape[1];
        var chosen = counting == LoadBalanceCounting.Top1 ? expertIndex[.., ..1] : expertIndex;     // [T, K'] 
        var fraction = nn.functional.one_hot(chosen, e).to(ScalarType.Float32).sum(1).mean([0]) / chosen.shape[1]; // [E]
        var meanProb = probs.to(ScalarType.Float32).mean([0]);                                      // [E]
        return (fraction * meanProb).sum() * e;
    }

    /// <summary>ST-MoE router z-loss <c>mean_t (log Σ_e exp z_te)²</c> (Zoph et al. 2022, Eq. 5).</summary>
    /// <param name="logits">[T, E].</param>
    public static Tensor ZLoss(Tensor logits) => torch.logsumexp(logits.to(ScalarType.Float32), -1).square().mean();

    /// <summary>
    /// V-MoE importance loss (Riquelme et al. 2021, App. A.2; vmoe <c>_importance_auxiliary_loss</c>): the squared
    /// coefficient of variation Var/Mean² (population variance) of each expert's summed probability.
    /// </summary>
    /// <param name="probs">[T, E].</param>
    public static Tensor Importance(Tensor probs) => SquaredCv(probs.to(ScalarType.Float32).sum(dim: 0));

    /// <summary>
    /// V-MoE load loss (vmoe <c>_load_auxiliary_loss</c>): for each token the threshold is its K-th largest noisy logit;
    /// expert e would be selected if re-sampled noise pushed its clean logit over it, with probability
    /// <c>p_te = 1 − Φ((threshold_t − z_te)/σ)</c>; the loss is CV² of p's mean over tokens.
    /// </summary>
    /// <param name="logits">[T, E] clean logits.</param>
    /// <param name="noisyLogits">[T, E] logits plus N(0, σ²) noise.</param>
    /// <param name="noiseStd">σ, the std of the added noise (vmoe: noise_std / E).</param>
    /// <param name="k">K.</param>
    public static Tensor Load(Tensor logits, Tensor noisyLogits, double noiseStd, int k)
    {
        var threshold = torch.topk(noisyLogits.to(ScalarType.Float32), k, dim: -1).values[.., (k - 1)..k]; // [T, 1]
        var noiseRequired = (threshold - logits.to(ScalarType.Float32)) / noiseStd;                      // [T, E]
        var p = torch.erfc(noiseRequired / Math.Sqrt(2)) * 0.5;                                         // 1 − Φ(x) = erfc(x/√2)/2
        return SquaredCv(p.mean([0]));
    }

    /// <summary>LIMoE local entropy (Mustafa et al. 2022): mean over tokens of H(p_t) = −Σ_e p log p; ln E when uniform.</summary>
    /// <param name="probs">[T, E] of one modality.</param>
    public static Tensor LocalEntropy(Tensor probs) => Entropy(probs.to(ScalarType.Float32)).mean();

    /// <summary>Entropy of the modality's mean routing distribution, H(mean_t p_t); ln E when it is uniform.</summary>
    /// <param name="probs">[T, E] of one modality.</param>
    public static Tensor GlobalEntropy(Tensor probs) => Entropy(probs.to(ScalarType.Float32).mean([0]));

    /// <summary>LIMoE thresholded global entropy loss <c>max(0, τ − H(mean_t p_t))</c>: zero once the modality spreads over ≳ e^τ experts.</summary>
    /// <param name="probs">[T, E] of one modality.</param>
    /// <param name="threshold">τ in nats.</param>
    public static Tensor LimoeGlobal(Tensor probs, double threshold) => nn.functional.relu(threshold - GlobalEntropy(probs));

    private static Tensor Entropy(Tensor p) => -(p * torch.log(p.clamp_min(1e-30))).sum(-1);         // 0·log 0 = 0

    // Population variance (vmoe's jnp.var) over mean², written out: CV² avoids std's undefined gradient at zero.
    private static Tensor SquaredCv(Tensor v)
    {
        var mean = v.mean();
        return (v - mean).square().mean() / mean.square();
    }
}
