using System.Globalization;
using System.Text.Json.Nodes;
using ClipUp.Stats;
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

/// <summary>One clustering of a MoDE run: n experts from m fine clusters, how pure each expert is in one domain, and its sizes.</summary>
/// <param name="FirstSeenIn">The first experiment/variant whose results used it.</param>
public sealed record ModeClusteringRow(int Experts, int FineClusters, string Embedder, double OutOfClusterRatio, double DomainAri,
    double ExpertPurity, IReadOnlyList<long> Sizes, string FirstSeenIn)
{
    public bool SameClustering(ModeClusteringRow other) =>
        Experts == other.Experts && FineClusters == other.FineClusters && Embedder == other.Embedder && OutOfClusterRatio == other.OutOfClusterRatio;
}

/// <summary>p(expert | task) under one routing formula (paper, code; for retrieval the collection or mean per-query weights), mean over seeds.</summary>
public sealed record ModeRoutingWeights(string Task, string Formula, IReadOnlyList<double> Mean, int Seeds);

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

    /// <summary>
    /// What a MoDE notebook shows beside the smoke run it trains itself: for each other profile with results committed
    /// under results/&lt;experiment&gt;/&lt;profile&gt;/ (cpu, full), a line naming the profile, its seeds and setting, the
    /// per-task table (mean ± std over seeds), and the experiment's claims as paired differences with 95% intervals
    /// (a table and a chart with error bars); or one line saying how to produce them.
    /// </summary>
    public static IReadOnlyList<object> CommittedSection(ModeExperimentSpec spec, string resultsRoot)
    {
        var shown = new List<object>();
        foreach (var profile in CommittedProfiles(resultsRoot, spec.Name))
        {
            var dir = spec.ResultsDir(resultsRoot, profile);
            var rows = Load(spec, dir);
            if (rows.Count == 0) continue;
            var setting = ModeExperimentCatalog.Profiles.TryGetValue(profile, out var p) ? $": {p.Description}" : "";
            shown.Add($"{spec.Name}, {profile} profile, committed results/{spec.Name}/{profile}/ ({rows.Max(r => r.Seeds)} seeds, mean ± std over seeds){setting}");
            shown.Add(ToDataFrame(rows));
            var claims = ClaimReport.Evaluate(dir, ClaimCatalog.For(spec.Name));
            if (!claims.Any(c => c.Interval is not null)) continue;
            shown.Add(ClaimReport.ToDataFrame(claims.Where(c => c.Interval is not null).ToList()));
            shown.Add(ClaimReport.Chart(claims, claims.Select(c => c.Metric).Distinct().ToList(), profile));
        }
        if (shown.Count == 0)
            shown.Add($"{spec.Name}: no results committed beyond smoke (results/{spec.Name}/ has no cpu or full folder with results): " +
                $"`clipup experiment run {spec.Name} --profile cpu` (2 CPU cores) or `--profile full` (one GPU) writes them.");
        return shown;
    }

    /// <summary>
    /// One line for a notebook's answer: each committed profile's claims of this experiment on mean retrieval recall,
    /// "cpu profile (3 seeds): e1 mode-2 − dense −0.06 [−0.30, +0.19], inconclusive"; empty when nothing is committed.
    /// </summary>
    public static string CommittedVerdict(ModeExperimentSpec spec, string resultsRoot) =>
        string.Join(" ", CommittedProfiles(resultsRoot, spec.Name).Select(profile =>
        {
            var claims = ClaimReport.Evaluate(spec.ResultsDir(resultsRoot, profile), ClaimCatalog.For(spec.Name), ["retrieval.mean_recall"])
                .Where(c => c.Interval is not null).ToList();
            return claims.Count == 0 ? "" : $"{profile} profile ({claims.Max(c => c.Interval!.Seeds)} seeds), mean retrieval recall: " +
                string.Join("; ", claims.Select(c => $"{c.Claim.Id} {c.Claim.Variant} − {c.Claim.Baseline} {ClaimReport.Format(c.Interval!)} points, {c.Status!.Value.Word()}")) + ".";
        }).Where(line => line.Length > 0));

    /// <summary>
    /// The routing weights p(expert | task) a variant's result files hold (<c>routing_weights</c>: per task, per
    /// formula), averaged over seeds; in the first file's task and formula order.
    /// </summary>
    public static IReadOnlyList<ModeRoutingWeights> RoutingWeights(string dir, string variant)
    {
        var files = ExperimentReport.Load(dir).Where(f => (string?)f["variant"] == variant && f["routing_weights"] is JsonObject).ToList();
        if (files.Count == 0) return [];
        var keys = files[0]["routing_weights"]!.AsObject().SelectMany(t => t.Value!.AsObject().Select(f => (Task: t.Key, Formula: f.Key))).ToList();
        return keys.Select(k =>
        {
            var seeds = files.Select(r => r["routing_weights"]?[k.Task]?[k.Formula]?.AsArray().Select(x => (double)x!).ToArray()).OfType<double[]>().ToList();
            return new ModeRoutingWeights(k.Task, k.Formula, Enumerable.Range(0, seeds[0].Length).Select(e => seeds.Average(w => w[e])).ToArray(), seeds.Count);
        }).ToList();
    }

    /// <summary>
    /// The distinct clusterings behind a profile's committed MoDE results (seed 0's files; the TF-IDF clustering does not
    /// depend on the training seed): experts n, fine clusters m, embedder, and how the experts match the data's domains.
    /// </summary>
    public static IReadOnlyList<ModeClusteringRow> Clusterings(string resultsRoot, string profile)
    {
        var rows = new List<ModeClusteringRow>();
        foreach (var spec in ModeExperimentCatalog.All)
            foreach (var f in ExperimentReport.Load(spec.ResultsDir(resultsRoot, profile)).Where(f => (int?)f["seed"] == 0))
            {
                if (f["clustering"] is not JsonObject c || c["domain_ari"] is null || (string?)f["split"] != "clusters") continue;
                var row = new ModeClusteringRow((int)f["experts"]!, (int)f["fine_clusters"]!, (string)f["embedder"]!, (double)f["out_of_cluster_ratio"]!,
                    (double)c["domain_ari"]!, (double)c["expert_purity"]!, c["sizes"]!.AsArray().Select(x => (long)x!).ToList(), $"{spec.Name}/{(string)f["variant"]!}");
                if (!rows.Any(r => r.SameClustering(row))) rows.Add(row);
            }
        return rows.OrderBy(r => r.Experts).ThenBy(r => r.FineClusters).ToList();
    }

    /// <summary>Profiles other than smoke with result files under results/&lt;experiment&gt;/, cpu before full.</summary>
    public static IReadOnlyList<string> CommittedProfiles(string resultsRoot, string experiment)
    {
        var dir = Path.Combine(resultsRoot, experiment);
        if (!Directory.Exists(dir)) return [];
        return Directory.GetDirectories(dir).Select(Path.GetFileName).OfType<string>()
            .Where(p => p != "smoke" && Directory.EnumerateFiles(Path.Combine(dir, p), "*-seed*.json").Any())
            .Order(StringComparer.Ordinal).ToList();
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
