using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;

namespace ClipUp.Experiments;

/// <summary>
/// One variant of a MoDE experiment over its seeds (mean, sample std): its method's zero-shot top-1 and mean retrieval
/// recall (the six R@K averaged) per task, and its cost. Read from the files <see cref="ModeExperimentRunner"/> writes.
/// </summary>
public sealed record ModeResultRow(string Variant, string Description, string Method, int Experts, int Seeds,
    IReadOnlyDictionary<string, (double Mean, double Std)> ZeroShotTop1, IReadOnlyDictionary<string, (double Mean, double Std)> RetrievalMean,
    double TrainCompute, double InferenceRatio, double? DomainAri)
{
    /// <summary>Zero-shot top-1 averaged over tasks (seed means).</summary>
    public double MeanZeroShot => ZeroShotTop1.Count == 0 ? double.NaN : ZeroShotTop1.Values.Average(v => v.Mean);

    /// <summary>Retrieval recall averaged over tasks.</summary>
    public double MeanRetrieval => RetrievalMean.Count == 0 ? double.NaN : RetrievalMean.Values.Average(v => v.Mean);
}

/// <summary>Per-task tables of MoDE experiment results, for the notebooks (14–16) and reports.</summary>
public static class ModeResults
{
    /// <summary>Rows in the spec's variant order; variants without a result file are left out.</summary>
    public static IReadOnlyList<ModeResultRow> Load(ModeExperimentSpec spec, string dir)
    {
        var files = ExperimentReport.Load(dir);
        var rows = new List<ModeResultRow>();
        foreach (var v in spec.Variants)
        {
            var runs = files.Where(f => (string?)f["variant"] == v.Name).ToList();
            if (runs.Count == 0) continue;
            rows.Add(new ModeResultRow(v.Name, v.Description, v.Method, (int)runs[0]["experts"]!, runs.Count,
                PerTask(runs, "zero_shot_tasks", v.Method, s => (double)s["top1"]!),
                PerTask(runs, "retrieval_tasks", v.Method, s => new[] { "text_to_image_r1", "text_to_image_r5", "text_to_image_r10", "image_to_text_r1", "image_to_text_r5", "image_to_text_r10" }.Average(k => (double)s[k]!)),
                runs.Average(r => (double)r["cost"]!["relative_training_compute"]!), runs.Average(r => (double)r["cost"]!["inference_flops_ratio"]!),
                runs[0]["clustering"]?["domain_ari"] is { } ari ? runs.Average(r => (double)r["clustering"]!["domain_ari"]!) : null));
        }
        return rows;
    }

    /// <summary>variant, method, seeds, one column per task ("zero-shot &lt;task&gt;", "retrieval &lt;task&gt;"), cost, ARI; mean ± std as text.</summary>
    public static DataFrame ToDataFrame(IReadOnlyList<ModeResultRow> rows)
    {
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("variant", rows.Select(r => r.Variant)), new StringDataFrameColumn("method", rows.Select(r => r.Method)),
            new Int32DataFrameColumn("seeds", rows.Select(r => r.Seeds)),
        };
        foreach (var task in rows.SelectMany(r => r.ZeroShotTop1.Keys).Distinct())
            columns.Add(new StringDataFrameColumn($"0-shot {task} top-1 %", rows.Select(r => Cell(r.ZeroShotTop1, task))));
        foreach (var task in rows.SelectMany(r => r.RetrievalMean.Keys).Distinct())
            columns.Add(new StringDataFrameColumn($"{task} mean R@1/5/10 %", rows.Select(r => Cell(r.RetrievalMean, task))));
        columns.Add(new DoubleDataFrameColumn("train compute ×", rows.Select(r => Math.Round(r.TrainCompute, 3))));
        columns.Add(new DoubleDataFrameColumn("inference FLOPs ×", rows.Select(r => Math.Round(r.InferenceRatio, 2))));
        columns.Add(new StringDataFrameColumn("domain ARI", rows.Select(r => r.DomainAri is { } a ? a.ToString("F2", CultureInfo.InvariantCulture) : "–")));
        return new DataFrame(columns);
    }

    private static Dictionary<string, (double, double)> PerTask(IReadOnlyList<JsonObject> runs, string key, string method, Func<JsonNode, double> score)
    {
        var tasks = (runs[0][key] as JsonObject)?.Select(p => p.Key).ToList() ?? [];
        return tasks.ToDictionary(t => t, t =>
        {
            var values = runs.Select(r => score(r[key]![t]![method]!)).ToList();
            var mean = values.Average();
            return (mean, values.Count < 2 ? 0 : Math.Sqrt(values.Sum(x => (x - mean) * (x - mean)) / (values.Count - 1)));
        });
    }

    private static string Cell(IReadOnlyDictionary<string, (double Mean, double Std)> values, string task) =>
        !values.TryGetValue(task, out var v) ? "–"
        : v.Std > 0 ? $"{v.Mean.ToString("F1", CultureInfo.InvariantCulture)} ± {v.Std.ToString("F1", CultureInfo.InvariantCulture)}"
        : v.Mean.ToString("F1", CultureInfo.InvariantCulture);
}
