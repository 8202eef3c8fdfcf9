namespace ClipUp.Moe;

/// <summary>How the <see cref="Upcycler"/> fills the experts of an MoE layer from that layer's dense MLP.</summary>
public enum ExpertInitKind
{
    /// <summary>Every expert is an exact copy of the dense MLP (sparse upcycling; keeps the dense function at step 0).</summary>
    Copy,

    /// <summary>A copy plus independent N(0, NoiseStd²) noise on each expert's weight matrices (biases copied exactly).</summary>
    CopyWithNoise,

    /// <summary>Experts initialised from scratch (the "random experts" ablation of sparse upcycling); everything else is copied.</summary>
    Random,
}

/// <summary>Expert initialisation for upcycling. JSON: <c>{"kind": "copy_with_noise", "noise_std": 0.001}</c>.</summary>
public sealed record ExpertInit(ExpertInitKind Kind, double NoiseStd = 0)
{
    public static ExpertInit Copy => new(ExpertInitKind.Copy);
    public static ExpertInit CopyWithNoise(double std) => new(ExpertInitKind.CopyWithNoise, std);
    public static ExpertInit Random => new(ExpertInitKind.Random);

    public void Validate()
    {
        if (Kind == ExpertInitKind.CopyWithNoise)
            MoeConfig.Require(NoiseStd > 0 && double.IsFinite(NoiseStd), $"moe.expert_init.kind copy_with_noise needs moe.expert_init.noise_std > 0, got {NoiseStd}: e.g. 1e-3");
        else
            MoeConfig.Require(NoiseStd == 0, $"moe.expert_init.kind {System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(Kind.ToString())} takes no noise, got moe.expert_init.noise_std {NoiseStd}: use copy_with_noise or set noise_std 0");
    }
}
