using ClipUp.Mode;

namespace ClipUp.Experiments;

/// <summary>
/// One arm of a MoDE ablation: which pipeline trains it (experts, split, embedder, m, out-of-cluster ratio) and which
/// of the evaluation's methods it reports (<see cref="ModeScores"/>: routed_code, routed_paper, uniform, oracle,
/// single_best_code, expert_i, or the pipeline's seed / dense models). Variants whose pipeline settings agree share
/// one trained pipeline; every pipeline of a profile and seed shares one seed and one dense run.
/// </summary>
/// <param name="Method">The score this variant reports; <c>dense</c> is the seed continued on all rows (MoDE-1).</param>
public sealed record ModeVariant(string Name, string Description, int Experts = 2, string Method = "routed_code")
{
    /// <summary><see cref="ModeConfig.Split"/>: clusters, random (Random-n) or full (Full-n).</summary>
    public string Split { get; init; } = "clusters";
    /// <summary>Caption embedder (<see cref="ModeClusteringConfig.Embedder"/>); null = the profile's.</summary>
    public string? Embedder { get; init; }
    /// <summary>m; 0 = the profile's (whose 0 is <see cref="TwoStepOptions.DefaultFineClusters"/>); m = n is OneStep-n.</summary>
    public int FineClusters { get; init; }
    /// <summary>Out-of-cluster ratio; null = the reference's 0.02.</summary>
    public double? OutOfClusterRatio { get; init; }
    /// <summary>Routing constants and centres; null = the paper's and the code's defaults on the fine centres.</summary>
    public ModeRoutingOptions? Routing { get; init; }

    /// <summary>Whether <see cref="Method"/> combines several experts (and so costs n forward passes at inference).</summary>
    public bool IsEnsemble => Method is "routed_code" or "routed_paper" or "uniform";
}

/// <summary>
/// A named MoDE ablation (mode.md §7): the question, the paper table it mirrors, and its variants. Results go to
/// results/&lt;name&gt;/&lt;profile&gt;/&lt;variant&gt;-seed&lt;k&gt;.json like <see cref="ExperimentSpec"/>'s, so
/// <see cref="ExperimentReport"/> tabulates both.
/// </summary>
public sealed record ModeExperimentSpec(string Name, string Question, string Paper, IReadOnlyList<ModeVariant> Variants)
{
    public string ResultsDir(string root, string profile) => Path.Combine(root, Name, profile);
}

/// <summary>A MoDE profile: the base pipeline of one seed (mixture, model, budget, tasks, device) and how many seeds.</summary>
/// <param name="Build">(seed, results root) → the base config; variants set clustering, split and ooc ratio on it.</param>
public sealed record ModeProfile(string Description, int Seeds, Func<int, string, ModeConfig> Build);
