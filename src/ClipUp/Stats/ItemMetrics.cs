namespace ClipUp.Stats;

/// <summary>
/// Metrics as means of per-item scores, so an interval can resample items: each metric names the rank arrays it reads
/// (the keys of Experiments.EvalResult.Ranks) and the score of one item from its rank.
/// </summary>
public static class ItemMetrics
{
    /// <summary>The metrics a claim can be decided on, with their titles.</summary>
    public static IReadOnlyDictionary<string, string> Titles { get; } = new Dictionary<string, string>
    {
        ["retrieval.mean_recall"] = "mean retrieval recall (T→I and I→T R@1/5/10)",
        ["retrieval.text_to_image_r1"] = "T→I R@1",
        ["retrieval.image_to_text_r1"] = "I→T R@1",
        ["zero_shot.top1"] = "zero-shot top-1 (CIFAR-10)",
        ["zero_shot_attributes.articleType.top1"] = "zero-shot top-1 (articleType)",
        ["zero_shot_attributes.baseColour.top1"] = "zero-shot top-1 (baseColour)",
        // MoDE result files keep items per task (ModeExperimentRunner): retrieval.mean_recall then averages the tasks.
        ["zero_shot_tasks.cifar10.top1"] = "zero-shot top-1 (CIFAR-10)",
        ["zero_shot_tasks.fashion-articleType.top1"] = "zero-shot top-1 (articleType)",
        ["zero_shot_tasks.fashion-baseColour.top1"] = "zero-shot top-1 (baseColour)",
    };

    private static readonly int[] Ks = [1, 5, 10];

    /// <summary>Per-item scores in percent, one array per item set, or null when the ranks lack what the metric reads.</summary>
    public static IReadOnlyList<double[]>? Scores(string metric, IReadOnlyDictionary<string, int[]> ranks)
    {
        double[]? Map(string key, Func<int, double> score) => ranks.TryGetValue(key, out var r) ? r.Select(score).ToArray() : null;
        static double Hit(int rank, int k) => rank < k ? 100 : 0;
        IReadOnlyList<double[]>? Sets(params double[]?[] sets) => sets.Any(s => s is null) ? null : sets.Select(s => s!).ToList();
        return metric switch
        {
            // The mean of six recalls is the mean of the two directions' per-query mean over K; with several retrieval
            // tasks (MoDE), the mean over tasks of that, as the result file's "retrieval" averages its tasks.
            "retrieval.mean_recall" => RetrievalPrefixes(ranks) is { Count: > 0 } prefixes
                ? Sets([.. prefixes.SelectMany(p => new[] { Map($"{p}.text_to_image", r => Ks.Average(k => Hit(r, k))), Map($"{p}.image_to_text", r => Ks.Average(k => Hit(r, k))) })])
                : null,
            "retrieval.text_to_image_r1" => Sets(Map("retrieval.text_to_image", r => Hit(r, 1))),
            "retrieval.image_to_text_r1" => Sets(Map("retrieval.image_to_text", r => Hit(r, 1))),
            _ when metric.EndsWith(".top1", StringComparison.Ordinal) => Sets(Map(metric[..^".top1".Length], r => Hit(r, 1))),
            _ => throw new ArgumentException($"unknown metric '{metric}': use one of {string.Join(", ", Titles.Keys)}"),
        };
    }

    /// <summary>
    /// Where retrieval ranks sit: <c>retrieval</c> (one task, CLIP-UP result files) or <c>retrieval_tasks.&lt;task&gt;</c>
    /// (MoDE, in task-name order), each with <c>.text_to_image</c> and <c>.image_to_text</c> arrays.
    /// </summary>
    private static List<string> RetrievalPrefixes(IReadOnlyDictionary<string, int[]> ranks)
    {
        const string suffix = ".text_to_image";
        return ranks.Keys.Where(k => k.EndsWith(suffix, StringComparison.Ordinal) && (k == "retrieval" + suffix || k.StartsWith("retrieval_tasks.", StringComparison.Ordinal)))
            .Select(k => k[..^suffix.Length]).OrderBy(p => p == "retrieval" ? 0 : 1).ThenBy(p => p, StringComparer.Ordinal).ToList();
    }

    /// <summary>Paired per-item differences variant − baseline of one seed.</summary>
    public static SeedDifferences? Difference(string metric, IReadOnlyDictionary<string, int[]> variant, IReadOnlyDictionary<string, int[]> baseline)
    {
        if (Scores(metric, variant) is not { } v || Scores(metric, baseline) is not { } b) return null;
        if (v.Count != b.Count || v.Zip(b).Any(p => p.First.Length != p.Second.Length))
            throw new InvalidDataException($"{metric}: the two arms were evaluated on different items; evaluate both on the same set");
        return new SeedDifferences(v.Zip(b, (x, y) => x.Zip(y, (p, q) => p - q).ToArray()).ToList());
    }
}
