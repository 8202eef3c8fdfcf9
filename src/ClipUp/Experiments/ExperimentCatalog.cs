using ClipUp.Moe;

namespace ClipUp.Experiments;

/// <summary>
/// The named experiments of the CLIP-UP reproduction (clip-up.md §6). Each is data: a question and its variants; the
/// profiles fix model, data, steps and seeds. Run one with <c>clipup experiment run &lt;name&gt; --profile smoke|full</c>.
/// </summary>
public static class ExperimentCatalog
{
    /// <summary>CLIP-UP's recipe: E=8, top-2, every other layer of both towers, load-balance + z-loss, renormalised gates.</summary>
    public static MoeConfig ClipUpMoe => new();

    /// <summary>LIMoE's losses in place of CLIP-UP's: local + thresholded global entropy per modality, no LB/z.</summary>
    public static MoeConfig LimoeMoe => new()
    {
        Aux = AuxLossWeights.None with { LimoeLocal = 0.1, LimoeGlobal = 0.1 },
    };

    /// <summary>
    /// Width factors of the scale sweep: three rungs, each about 4× the FLOPs of the one below (width²), the small-scale
    /// stand-in for B/32 → B/16 → L/14 (smoke: tiny at widths 32/64/128; full: S16-96 at 192/384/768).
    /// </summary>
    public static IReadOnlyList<double> ScaleLadder { get; } = [0.5, 1.0, 2.0];

    public static IReadOnlyDictionary<string, ProfileSpec> Profiles { get; } = new Dictionary<string, ProfileSpec>
    {
        // CPU, minutes: CI and the notebooks' own runs. The synthetic shapes are learnable in a few hundred steps.
        ["smoke"] = new("tiny", 16, "synthetic:train", DenseSteps: 120, ContinueSteps: 60, BatchSize: 64, LearningRate: 2e-3,
            Seeds: 1, Device: "cpu", RetrievalEval: "synthetic:val", ZeroShotEval: null),
        // Two CPU cores, about an hour for 3 seeds of an experiment: the tiny CLIP (32 px, 8 px patches, width 64, 2+2
        // layers) on fashion train + extra (42k products), where validation tracks training (results/README.md shows
        // the search); fashion val retrieval and attribute zero-shot, CIFAR-10 zero-shot. Headline keeps the three arms
        // of its claims; its shared-backbone arms run with --only.
        ["cpu"] = new("tiny", 24, "data:fashion/train.tsv+extra.tsv", DenseSteps: 600, ContinueSteps: 300, BatchSize: 256, LearningRate: 1e-3,
            Seeds: 3, Device: "cpu", RetrievalEval: "data:fashion/val.tsv", ZeroShotEval: "data:cifar10/train",
            ZeroShotAttributes: ["articleType", "baseColour"], SkipVariants: ["limoe-scratch", "upcycled-shared"]),
        // One GPU: S16-96 on Flickr8k train, Flickr8k val retrieval and CIFAR-10 (shared subset) zero-shot, 3 seeds.
        ["full"] = new("S16-96", 32, "data:flickr8k/train.tsv", DenseSteps: 1200, ContinueSteps: 600, BatchSize: 256, LearningRate: 5e-4,
            Seeds: 3, Device: "cuda", RetrievalEval: "data:flickr8k/val.tsv", ZeroShotEval: "data:cifar10/train"),
    };

    public static IReadOnlyList<ExperimentSpec> All { get; } =
    [
        new("headline",
            "Does upcycling a dense CLIP into an MoE (CLIP-UP) beat continuing the dense model, training the MoE from scratch, and LIMoE's shared backbone, at equal steps?",
            "CLIP-UP §4.1, Fig. 1; docs/papers/clip-up.md §6 items 1–6",
            [
                new("dense-continued", "dense baseline + continuation at reduced LR", Moe: null),
                new("clip-up", "upcycled, separated towers, LB + z-loss", ClipUpMoe),
                new("moe-scratch", "MoE from scratch, separated towers, LB + z-loss", ClipUpMoe, Start: StartFrom.Scratch),
                new("limoe-scratch", "MoE from scratch, shared backbone, LIMoE entropy losses", LimoeMoe, Shared: true, Start: StartFrom.Scratch),
                new("upcycled-shared", "upcycled from a dense shared-backbone model, LB + z-loss", ClipUpMoe, Shared: true),
            ]),
        new("aux-losses",
            "Which auxiliary losses should an upcycled CLIP use?",
            "CLIP-UP §4.1 (aux losses); docs/papers/clip-up.md §6 item 7",
            [
                new("none", "no aux loss", ClipUpMoe with { Aux = AuxLossWeights.None }),
                new("lb", "load balance only", ClipUpMoe with { Aux = AuxLossWeights.None with { LoadBalance = 0.01 } }),
                new("z", "router z-loss only", ClipUpMoe with { Aux = AuxLossWeights.None with { ZLoss = 1e-3 } }),
                new("lb+z", "load balance + z-loss (CLIP-UP)", ClipUpMoe),
                new("limoe", "LIMoE local + global entropy", LimoeMoe),
                new("limoe+lb+z", "entropy + LB + z", ClipUpMoe with { Aux = ClipUpMoe.Aux with { LimoeLocal = 0.1, LimoeGlobal = 0.1 } }),
            ]),
        new("lr-factor",
            "How much should the learning rate be reduced when continuing an upcycled model?",
            "CLIP-UP (reduced LR); docs/papers/clip-up.md §6 item 8",
            [
                new("lr-x1", "continuation at the dense run's peak LR", ClipUpMoe, LrFactor: 1.0),
                new("lr-x0.3", "×0.3", ClipUpMoe, LrFactor: 0.3),
                new("lr-x0.1", "×0.1", ClipUpMoe, LrFactor: 0.1),
            ]),
        new("capacity-factor",
            "How does the capacity factor trade quality against dropped tokens?",
            "CLIP-UP (capacity trade-off); docs/papers/clip-up.md §6 item 9",
            [
                new("cf-1.0", "train/eval capacity factor 1.0", ClipUpMoe with { TrainCapacityFactor = 1.0, EvalCapacityFactor = 1.0 }),
                new("cf-1.25", "1.25", ClipUpMoe with { TrainCapacityFactor = 1.25, EvalCapacityFactor = 1.25 }),
                new("cf-2.0", "2.0", ClipUpMoe with { TrainCapacityFactor = 2.0, EvalCapacityFactor = 2.0 }),
                new("cf-4.0", "4.0 (nearly dropless)", ClipUpMoe with { TrainCapacityFactor = 4.0, EvalCapacityFactor = 4.0 }),
            ]),
        new("experts-topk",
            "How do the number of experts and top-k change an upcycled CLIP?",
            "docs/papers/clip-up.md §6 item 12",
            [
                new("e4-k2", "4 experts, top-2", ClipUpMoe with { NumExperts = 4 }),
                new("e8-k1", "8 experts, top-1", ClipUpMoe with { TopK = 1 }),
                new("e8-k2", "8 experts, top-2 (CLIP-UP)", ClipUpMoe),
                new("e16-k2", "16 experts, top-2", ClipUpMoe with { NumExperts = 16 }),
            ]),
        new("placement",
            "Where should the MoE layers go?",
            "docs/papers/clip-up.md §6 item 13",
            [
                new("every-other", "every other layer, both towers (CLIP-UP)", ClipUpMoe),
                new("all", "every layer, both towers", ClipUpMoe with { Placement = MoePlacement.All }),
                new("image-only", "every other layer, image tower only", ClipUpMoe with { Towers = MoeTowers.Image }),
                new("text-only", "every other layer, text tower only", ClipUpMoe with { Towers = MoeTowers.Text }),
            ]),
        new("scale",
            "Does CLIP-UP's gain over dense continuation hold as the model widens, and does an upcycled model beat a wider dense one at a fraction of its FLOPs?",
            "CLIP-UP Table 2 (B/32, B/16, L/14) and abstract (B/16 MoE vs L/14 at 30% FLOPs); docs/papers/clip-up.md §6 items 10–11",
            [.. ScaleLadder.SelectMany(w => new Variant[]
            {
                new($"dense-continued-x{w}", $"dense baseline + continuation, width ×{w}", Moe: null, Width: w),
                new($"clip-up-x{w}", $"upcycled, separated towers, LB + z-loss, width ×{w}", ClipUpMoe, Width: w),
            })]),
    ];

    public static ExperimentSpec Get(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"unknown experiment '{name}': use one of {string.Join(", ", All.Select(e => e.Name))}");

    public static ProfileSpec Profile(string name) =>
        Profiles.TryGetValue(name, out var p) ? p : throw new ArgumentException($"unknown profile '{name}': use {string.Join(", ", Profiles.Keys)}");
}
