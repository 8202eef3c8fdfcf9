using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ClipUp.Plots;

namespace ClipUp.Experiments;

/// <summary>One variant's results over its seeds.</summary>
public sealed record VariantSummary(string Variant, string Description, int Seeds, IReadOnlyDictionary<string, (double Mean, double Std)> Metrics);

/// <summary>
/// Tables of an experiment's results: mean ± sample standard deviation over seeds for every metric, as Markdown
/// (README, notebooks' text) and HTML (reports). Reads the result files the runner wrote; holds no numbers itself.
/// </summary>
public static class ExperimentReport
{
    /// <summary>The columns reported, in order: JSON path in a result file → column title.</summary>
    public static IReadOnlyList<(string Path, string Title)> Columns { get; } =
    [
        ("retrieval.text_to_image_r1", "T→I R@1"), ("retrieval.text_to_image_r5", "T→I R@5"), ("retrieval.text_to_image_r10", "T→I R@10"),
        ("retrieval.image_to_text_r1", "I→T R@1"), ("retrieval.image_to_text_r5", "I→T R@5"), ("retrieval.image_to_text_r10", "I→T R@10"),
        ("zero_shot.top1", "0-shot top-1"), ("zero_shot.top5", "0-shot top-5"),
        ("zero_shot_attributes.articleType.top1", "articleType top-1"), ("zero_shot_attributes.baseColour.top1", "baseColour top-1"),
        ("accounting.total_params", "params"), ("accounting.active_params", "active params"),
        ("accounting.forward_gflops", "GFLOPs/sample"), ("routing.dropped_fraction", "dropped"),
        // MoDE experiments (ModeExperimentRunner): training compute relative to one dense run, (27 + 5n)/32 in the
        // paper; inference FLOPs relative to one model; how well the clustering recovers the mixture's domains.
        ("cost.relative_training_compute", "train compute ×"), ("cost.inference_flops_ratio", "inference FLOPs ×"),
        ("clustering.domain_ari", "domain ARI"),
        ("samples_per_second", "samples/s"),
    ];

    public static IReadOnlyList<JsonObject> Load(string dir) =>
        Directory.Exists(dir)
            ? Directory.GetFiles(dir, "*-seed*.json").OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => JsonNode.Parse(File.ReadAllText(f))!.AsObject()).ToList()
            : [];

    public static IReadOnlyList<VariantSummary> Summarise(IReadOnlyList<JsonObject> results)
    {
        var order = results.Select(r => (string)r["variant"]!).Distinct().ToList();
        return order.Select(variant =>
        {
            var runs = results.Where(r => (string)r["variant"]! == variant).ToList();
            var metrics = new Dictionary<string, (double, double)>();
            foreach (var (path, _) in Columns)
            {
                var values = runs.Select(r => Get(r, path)).Where(v => v.HasValue).Select(v => v!.Value).ToList();
                if (values.Count > 0) metrics[path] = (values.Average(), Std(values));
            }
            return new VariantSummary(variant, (string?)runs[0]["description"] ?? "", runs.Count, metrics);
        }).ToList();
    }

    public static string Markdown(string title, IReadOnlyList<VariantSummary> rows)
    {
        var cols = Columns.Where(c => rows.Any(r => r.Metrics.ContainsKey(c.Path))).ToList();
        var sb = new StringBuilder();
        sb.AppendLine($"### {title}").AppendLine();
        sb.AppendLine("| variant | seeds | " + string.Join(" | ", cols.Select(c => c.Title)) + " |");
        sb.AppendLine("| --- | --- | " + string.Join(" | ", cols.Select(_ => "---")) + " |");
        foreach (var r in rows)
            sb.AppendLine($"| {r.Variant} | {r.Seeds} | " + string.Join(" | ", cols.Select(c => Cell(r, c.Path))) + " |");
        return sb.ToString();
    }

    public static string Html(string title, IReadOnlyList<VariantSummary> rows)
    {
        var cols = Columns.Where(c => rows.Any(r => r.Metrics.ContainsKey(c.Path))).ToList();
        return PlotlyHtml.Table(["variant", "what", "seeds", .. cols.Select(c => c.Title)],
            rows.Select(r => (IReadOnlyList<string>)[r.Variant, r.Description, r.Seeds.ToString(CultureInfo.InvariantCulture), .. cols.Select(c => Cell(r, c.Path))]),
            title);
    }

    private static string Cell(VariantSummary r, string path)
    {
        if (!r.Metrics.TryGetValue(path, out var m)) return "–";
        string F(double v) => path.EndsWith("params", StringComparison.Ordinal) ? $"{v / 1e6:F1}M"
            : path.EndsWith("fraction", StringComparison.Ordinal) ? $"{100 * v:F1}%"
            : path == "samples_per_second" ? v.ToString("F0", CultureInfo.InvariantCulture)
            // The tiny preset's forward pass is about 0.01 GFLOPs: three significant digits, not "0.0".
            : path.EndsWith("gflops", StringComparison.Ordinal) ? v.ToString("G3", CultureInfo.InvariantCulture)
            : path.StartsWith("cost.", StringComparison.Ordinal) || path.StartsWith("clustering.", StringComparison.Ordinal) ? v.ToString("F2", CultureInfo.InvariantCulture)
            : v.ToString("F1", CultureInfo.InvariantCulture);
        return r.Seeds > 1 && m.Std > 0 ? $"{F(m.Mean)} ± {F(m.Std)}" : F(m.Mean);
    }

    private static double? Get(JsonObject o, string path)
    {
        JsonNode? node = o;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(part, out var next) ? next : null;
            if (node is null) return null;
        }
        return node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
    }

    /// <summary>Sample standard deviation (n − 1); 0 for fewer than two values.</summary>
    internal static double Std(IReadOnlyList<double> v)
    {
        if (v.Count < 2) return 0;
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
    }
}
