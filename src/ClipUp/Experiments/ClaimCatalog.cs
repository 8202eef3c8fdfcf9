namespace ClipUp.Experiments;

/// <summary>
/// A paper's claim as a paired comparison: within one experiment, <see cref="Variant"/> against <see cref="Baseline"/>,
/// expected higher (+1) or lower (−1) on each metric. Its status is computed from the interval, never written by hand.
/// </summary>
public sealed record Claim(string Id, string Experiment, string Variant, string Baseline, int Expected, string Statement, string Paper);

/// <summary>The claims of issue 14 item 4, in order: headline, capacity factor, aux losses, LR factor.</summary>
public static class ClaimCatalog
{
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
    ];

    /// <summary>The metrics every claim is decided on, the first being the primary one (the README's status).</summary>
    public static IReadOnlyList<string> Metrics { get; } =
    [
        "retrieval.mean_recall", "zero_shot_attributes.articleType.top1", "zero_shot_attributes.baseColour.top1", "zero_shot.top1",
    ];

    public static IEnumerable<Claim> For(string experiment) => All.Where(c => c.Experiment == experiment);
}
