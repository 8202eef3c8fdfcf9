namespace ClipUp.Moe;

/// <summary>
/// Weights of the auxiliary losses each MoE layer adds (see <see cref="AuxLosses"/>; a weight of 0 leaves a loss out of
/// the total, its value is still reported). Defaults are CLIP-UP's recipe (clip-up.md §2): Switch/GShard load balance
/// 0.01 (Switch, ST-MoE, AXLearn) and ST-MoE router z-loss 1e-3, no V-MoE or LIMoE losses.
/// </summary>
public sealed record AuxLossWeights
{
    /// <summary>Switch/GShard load-balance loss E·Σ f_e·P_e (1 at uniform routing).</summary>
    public double LoadBalance { get; init; } = 0.01;

    /// <summary>ST-MoE router z-loss mean(logsumexp(logits)²).</summary>
    public double ZLoss { get; init; } = 1e-3;

    /// <summary>V-MoE importance loss CV²(Σ_tokens p) (vmoe uses 0.005).</summary>
    public double Importance { get; init; }

    /// <summary>V-MoE load loss CV² of the noise-based selection probability (needs <see cref="MoeConfig.NoiseStd"/> &gt; 0; vmoe uses 0.005).</summary>
    public double Load { get; init; }

    /// <summary>LIMoE local entropy: mean per-token routing entropy (minimised: confident routing).</summary>
    public double LimoeLocal { get; init; }

    /// <summary>LIMoE thresholded global entropy max(0, τ − H(mean p)) per modality (minimised: the modality uses ≳ e^τ experts).</summary>
    public double LimoeGlobal { get; init; }

    /// <summary>The threshold τ of the global entropy loss, in nats. LIMoE's value is in its appendix, not available to us [?].</summary>
    public double LimoeGlobalThreshold { get; init; } = 1.0;

    /// <summary>CLIP-UP's default (load balance + z-loss).</summary>
    public static AuxLossWeights ClipUp => new();

    /// <summary>No auxiliary loss at all.</summary>
    public static AuxLossWeights None => new() { LoadBalance = 0, ZLoss = 0 };

    public void Validate()
    {
        foreach (var (name, w) in new[] { (nameof(LoadBalance), LoadBalance), (nameof(ZLoss), ZLoss), (nameof(Importance), Importance),
                     (nameof(Load), Load), (nameof(LimoeLocal), LimoeLocal), (nameof(LimoeGlobal), LimoeGlobal) })
            MoeConfig.Require(w >= 0 && double.IsFinite(w), $"moe.aux.{System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name)} {w} must be finite and >= 0");
        MoeConfig.Require(LimoeGlobalThreshold >= 0 && double.IsFinite(LimoeGlobalThreshold),
            $"moe.aux.limoe_global_threshold {LimoeGlobalThreshold} must be finite and >= 0 (nats)");
    }
}
