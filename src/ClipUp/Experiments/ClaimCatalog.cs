namespace ClipUp.Experiments;

/// <summary>
/// A paper's claim as a paired comparison: within one experiment, <see cref="Variant"/> against <see cref="Baseline"/>,
/// expected higher (+1) or lower (−1) on each metric. Its status is computed from the interval, never written by hand.
/// </summary>
public sealed record Claim(string Id, string Experiment, string Variant, string Baseline, int Expected, string Statement, string Paper)
{
    /// <summary>The metrics it is decided on, the first being the primary one; null = <see cref="ClaimCatalog.Metrics"/>.</summary>
    public IReadOnlyList<string>? Metrics { get; init; }
}

/// <summary>The claims of issue 14 item 4, in order: headline, capacity factor, aux losses, LR factor, MoDE.</summary>
public static class ClaimCatalog
{
    /// <summary>
    /// The MoDE claims' metrics, from the per-task items of MoDE result files: retrieval recall averaged over the
    /// retrieval tasks (Flickr8k val and fashion val in the cpu profile), then zero-shot top-1 per task. Declared before
    /// <see cref="All"/>, which reads it: static initialisers run in textual order.
    /// </summary>
    public static IReadOnlyList<string> ModeMetrics { get; } =
    [
        "retrieval.mean_recall", "zero_shot_tasks.fashion-articleType.top1", "zero_shot_tasks.fashion-baseColour.top1", "zero_shot_tasks.cifar10.top1",
    ];

    public static IReadOnlyList<Claim> All { get; } =
    [
        new("a1", "headline", "clip-up", "dense-continued", +1,
            "Upcycling (CLIP-UP) beats continuing the dense model for the same steps", "CLIP-UP §4.1, Fig. 1"),
        new("a2", "headline", "clip-up", "moe-scratch", +1,
            "Upcycling beats training the same MoE from scratch for the same total steps", "CLIP-UP §4.1; sparse upcycling (Komatsuzaki et al.)"),
        new("b1", "capacity-factor", "cf-2.0", "cf-1.0", +1,
            "A larger capacity factor (fewer dropped tokens) gives better quality", "CLIP-UP (capacity trade-off)"),
        new("c1", "aux-losses", "lb+z", "limoe", +1,
            "Load-balance + z-loss beat LIMoE's entropy losses for an upcycled CLIP", "CLIP-UP §4.1 (aux losses)"),
        new("c2", "aux-losses", "lb+z", "none", +1,
            "Load-balance + z-loss beat no auxiliary loss", "CLIP-UP §4.1 (aux losses)"),
        new("d1", "lr-factor", "lr-x0.3", "lr-x1", +1,
            "Continuing an upcycled model at a reduced learning rate beats the dense run's peak rate", "CLIP-UP (reduced LR)"),
        // MoDE (issue 14 item 4e). "dense" is the seed continued on all rows to the full budget, so each model of the
        // ensemble and the dense model take the same steps; the ensemble's total training compute is (27 + 5n)/32 of it
        // (the cost column of the result files).
        new("e1", "mode-experts", "mode-2", "dense", +1,
            "An ensemble of 2 data experts (MoDE-2, metadata-routed) beats one dense model trained for the same steps", "MoDE Tables 1–2, Fig. 3")
            { Metrics = ModeMetrics },
        new("e2", "mode-experts", "mode-4", "dense", +1,
            "An ensemble of 4 data experts (MoDE-4, metadata-routed) beats one dense model trained for the same steps", "MoDE Tables 1–2, Fig. 3")
            { Metrics = ModeMetrics },
        new("e3", "mode-routing", "code", "uniform", +1,
            "Routing MoDE-2's experts by task metadata beats averaging them uniformly", "MoDE §3.3 Eqs. 4–7")
            { Metrics = ModeMetrics },
        new("e4", "mode-clustering", "mode-2", "onestep-2", +1,
            "Two-step clustering (m fine clusters, then n experts) beats one k-means straight into n experts", "MoDE Table 6")
            { Metrics = ModeMetrics },
    ];

    /// <summary>The metrics the CLIP-UP claims are decided on, the first being the primary one (the README's status).</summary>
    public static IReadOnlyList<string> Metrics { get; } =
    [
        "retrieval.mean_recall", "zero_shot_attributes.articleType.top1", "zero_shot_attributes.baseColour.top1", "zero_shot.top1",
    ];

    /// <summary>The metrics a claim is decided on.</summary>
    public static IReadOnlyList<string> MetricsOf(Claim claim) => claim.Metrics ?? Metrics;

    public static IEnumerable<Claim> For(string experiment) => All.Where(c => c.Experiment == experiment);
}
