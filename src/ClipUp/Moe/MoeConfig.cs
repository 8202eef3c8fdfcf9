using ClipUp.Io;
using ClipUp.Model;

namespace ClipUp.Moe;

/// <summary>Who chooses: tokens pick their top-k experts (GShard/Switch/V-MoE), or experts pick their top-C tokens (Zhou et al. 2022).</summary>
public enum RouterKind { TokenChoice, ExpertChoice }

/// <summary>
/// How the k selected softmax probabilities become combine weights. <c>Renormalized</c> divides by their sum (AXLearn,
/// DeepSpeed top-2): an upcycled layer with identical experts then equals the dense MLP at step 0. <c>Raw</c> uses them
/// as they are (Switch, V-MoE): the output is scaled by Σ_k p, about k/E at initialisation.
/// </summary>
public enum GateNormalization { Renormalized, Raw }

/// <summary>Which assignments count in the load-balance fraction f_e: each token's first choice (Switch, GShard, vmoe) or all k choices divided by k (AXLearn 2026).</summary>
public enum LoadBalanceCounting { Top1, TopK }

/// <summary>Which towers of a two-tower CLIP get MoE blocks (a shared backbone serves both, so it needs <c>Both</c>).</summary>
public enum MoeTowers { Image, Text, Both }

/// <summary>Which implementation dispatches tokens to experts; all compute the same function (tested equal).</summary>
public enum DispatchPath
{
    /// <summary><see cref="Grouped"/> on a CPU for widths ≥ 256, else <see cref="Sorted"/> (on a GPU reading counts back would stall).</summary>
    Auto,

    /// <summary>Sort assignments by expert, gather into a capacity-padded [E, C, D] buffer, batched matmul, weighted index_add back.</summary>
    Sorted,

    /// <summary>The readable GShard/vmoe reference: one-hot dispatch and combine tensors [T, E, C] and einsums.</summary>
    OneHot,

    /// <summary>Kept assignments sorted by expert, each expert on exactly its rows: no capacity padding (<see cref="GroupedDispatch"/>).</summary>
    Grouped,
}

/// <summary>
/// A sparse MoE layer's architecture and routing recipe (CLIP-UP, clip-up.md §1–2 and §7). Holds no device, dtype or
/// seed. Defaults follow CLIP-UP's likely setting: 8 experts, top-2 token choice with renormalised gates, MoE in every
/// other block of both towers, capacity factor 2 (AXLearn's default), load-balance 0.01 + z-loss 1e-3. Variants are
/// <c>with</c> expressions; JSON uses snake_case keys and string enums (<see cref="FromJson"/>).
/// Axes used across ClipUp.Moe: B batch, T tokens (B·T flattened), D width, F expert hidden, E experts, C capacity, K top-k.
/// </summary>
public sealed record MoeConfig
{
    public int NumExperts { get; init; } = 8;
    public int TopK { get; init; } = 2;

    /// <summary>Capacity factor while <c>training</c> (see <see cref="Capacity.Compute"/>).</summary>
    public double TrainCapacityFactor { get; init; } = 2.0;

    /// <summary>Capacity factor in eval mode; at least E/K means no token is ever dropped.</summary>
    public double EvalCapacityFactor { get; init; } = 2.0;

    /// <summary>Lower bound of the capacity (DeepSpeed's <c>min_capacity</c>), so tiny eval batches do not drop tokens.</summary>
    public int MinCapacity { get; init; } = 4;

    public RouterKind Router { get; init; } = RouterKind.TokenChoice;
    public GateNormalization GateNormalization { get; init; } = GateNormalization.Renormalized;

    /// <summary>Batch Priority Routing (V-MoE): tokens with the highest top-1 gate claim expert slots first.</summary>
    public bool BatchPriority { get; init; }

    /// <summary>Switch jitter: in training the router input is multiplied by U(1−ε, 1+ε). 0 turns it off.</summary>
    public double JitterNoise { get; init; }

    /// <summary>V-MoE noise: in training N(0, (NoiseStd/E)²) is added to the router logits (vmoe uses 1.0). Needed by the load loss.</summary>
    public double NoiseStd { get; init; }

    /// <summary>Soft cap c·tanh(logits/c) on the router logits (AXLearn); 0 turns it off.</summary>
    public double LogitSoftCap { get; init; }

    /// <summary>Router weights start as N(0, std²); logits then have std ≈ std·√D at LayerNorm-scaled inputs.</summary>
    public double RouterInitStd { get; init; } = 0.02;

    public MoePlacement Placement { get; init; } = MoePlacement.EveryOther;
    public MoeTowers Towers { get; init; } = MoeTowers.Both;
    public AuxLossWeights Aux { get; init; } = new();
    public LoadBalanceCounting LoadBalanceCounting { get; init; } = LoadBalanceCounting.TopK;

    /// <summary>How upcycling fills the experts (<see cref="Upcycler"/>); MoE-from-scratch ignores it.</summary>
    public ExpertInit ExpertInit { get; init; } = ExpertInit.Copy;

    public DispatchPath Dispatch { get; init; } = DispatchPath.Auto;

    /// <summary>Checks the routing settings and that the placement fits a tower of <paramref name="layers"/> blocks.</summary>
    public void Validate(int layers)
    {
        Require(NumExperts >= 1, $"moe.num_experts {NumExperts} must be >= 1");
        Require(TopK >= 1, $"moe.top_k {TopK} must be >= 1");
        Require(TopK <= NumExperts, $"moe.top_k {TopK} exceeds moe.num_experts {NumExperts}: set moe.top_k <= moe.num_experts");
        Require(TrainCapacityFactor > 0 && double.IsFinite(TrainCapacityFactor),
            $"moe.train_capacity_factor {TrainCapacityFactor} must be > 0: use e.g. 1.0–2.0 (E/K or more drops no token)");
        Require(EvalCapacityFactor > 0 && double.IsFinite(EvalCapacityFactor),
            $"moe.eval_capacity_factor {EvalCapacityFactor} must be > 0: use e.g. 1.0–2.0 (E/K or more drops no token)");
        Require(MinCapacity >= 0, $"moe.min_capacity {MinCapacity} must be >= 0");
        Require(JitterNoise >= 0 && JitterNoise < 1, $"moe.jitter_noise {JitterNoise} must be in [0, 1) (Switch uses 0.01)");
        Require(NoiseStd >= 0 && double.IsFinite(NoiseStd), $"moe.noise_std {NoiseStd} must be finite and >= 0 (vmoe uses 1.0)");
        Require(LogitSoftCap >= 0 && double.IsFinite(LogitSoftCap), $"moe.logit_soft_cap {LogitSoftCap} must be finite and >= 0 (0 = off)");
        Require(RouterInitStd >= 0 && double.IsFinite(RouterInitStd), $"moe.router_init_std {RouterInitStd} must be finite and >= 0");
        Require(!(BatchPriority && Router == RouterKind.ExpertChoice),
            "moe.batch_priority applies to token-choice routing only: experts already pick their best tokens under moe.router = expert_choice");
        Aux.Validate();
        Require(Aux.Load == 0 || NoiseStd > 0, $"the load loss (weight {Aux.Load}) needs router noise: set moe.noise_std > 0 (vmoe uses 1.0)");
        ExpertInit.Validate();
        Placement.Validate(layers);
    }

    /// <summary>Validates against each tower of <paramref name="clip"/> that <see cref="Towers"/> selects.</summary>
    public void Validate(ClipConfig clip)
    {
        if (Towers != MoeTowers.Text) Validate(clip.Vision.Layers);
        if (Towers != MoeTowers.Image) Validate(clip.Text.Layers);
    }

    /// <summary>Reads a config from JSON; unknown keys are errors.</summary>
    public static MoeConfig FromJson(string json, string source = "moe config") => JsonConfig.Parse<MoeConfig>(json, source);

    public string ToJson() => JsonConfig.Serialize(this);

    internal static void Require(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }
}
