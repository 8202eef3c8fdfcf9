using System.Text.Json.Nodes;
using ClipUp.Experiments;
using Microsoft.Data.Analysis;

namespace ClipUp.Notebooks.Show;

/// <summary>One variant against another on one score: the difference in points and, with paired seeds, its 95% interval.</summary>
/// <param name="Points">Mean of <c>a − b</c> in percentage points.</param>
/// <param name="Low">Lower end of the 95% t-interval of the paired per-seed differences; null with fewer than 2 paired seeds.</param>
/// <param name="High">Upper end; null with fewer than 2 paired seeds.</param>
/// <param name="Seeds">Seeds both variants ran with.</param>
public sealed record Difference(double Points, double? Low, double? High, int Seeds)
{
    /// <summary>"+2.4 pp [0.3, 4.5] (95% CI, 3 paired seeds)", or "+2.4 pp (1 seed: no interval)".</summary>
    public override string ToString() => Low is { } lo && High is { } hi
        ? $"{Num.Points(Points)} [{Num.Sig(lo, 2)}, {Num.Sig(hi, 2)}] (95% CI, {Seeds} paired seeds)"
        : $"{Num.Points(Points)} ({Seeds} seed{(Seeds == 1 ? "" : "s")}: no interval)";
}

/// <summary>
/// Experiment results (<see cref="ExperimentReport"/>) shown by meaning: recalls and accuracies as percent, parameters
/// as counts (3.85 M), GFLOPs to 4 significant digits, dropped fractions as percent with 2 decimals; the mean
/// retrieval recall of a variant and the difference between two variants with its interval.
/// </summary>
public static class Metrics
{
    /// <summary>One metric of <see cref="ExperimentReport.Columns"/> as text; with several seeds, "mean ± sd".</summary>
    public static string Text(string path, double mean, double std, int seeds)
    {
        string F(double v) =>
            path.StartsWith("retrieval.", StringComparison.Ordinal) || path.StartsWith("zero_shot.", StringComparison.Ordinal) ? Num.Percent(v)
            : path.EndsWith("params", StringComparison.Ordinal) ? Num.Count(v)
            : path.EndsWith("fraction", StringComparison.Ordinal) ? Num.FractionAsPercent(v, 2)
            : Num.Short(v);
        return seeds > 1 && std > 0 ? $"{F(mean)} ± {(F(std).TrimEnd('%'))}" : F(mean);
    }

    /// <summary>The results table: variant, seeds, then every reported metric any variant has, formatted by <see cref="Text"/>.</summary>
    public static DataFrame Table(IReadOnlyList<VariantSummary> rows)
    {
        var cols = ExperimentReport.Columns.Where(c => rows.Any(r => r.Metrics.ContainsKey(c.Path))).ToList();
        return new DataFrame(new DataFrameColumn[]
            {
                new StringDataFrameColumn("variant", rows.Select(r => r.Variant)),
                new Int32DataFrameColumn("seeds", rows.Select(r => r.Seeds)),
            }
            .Concat(cols.Select(c => new StringDataFrameColumn(c.Title, rows.Select(r =>
                r.Metrics.TryGetValue(c.Path, out var m) ? Text(c.Path, m.Mean, m.Std, r.Seeds) : "–")))));
    }

    /// <summary>Mean retrieval recall of a summary row: the average of T→I and I→T R@1/5/10, in %.</summary>
    public static double MeanRecall(VariantSummary row) =>
        ExperimentReport.Columns.Where(c => c.Path.StartsWith("retrieval.", StringComparison.Ordinal))
            .Average(c => row.Metrics.TryGetValue(c.Path, out var m) ? m.Mean : double.NaN);

    /// <summary>Mean retrieval recall of each result file of <paramref name="variant"/>, by seed.</summary>
    public static IReadOnlyDictionary<long, double> MeanRecallBySeed(IReadOnlyList<JsonObject> results, string variant) =>
        results.Where(r => (string?)r["variant"] == variant)
            .ToDictionary(r => (long)(Value(r, "seed") ?? 0), r => ExperimentReport.Columns.Where(c => c.Path.StartsWith("retrieval.", StringComparison.Ordinal))
                .Average(c => Value(r, c.Path) ?? double.NaN));

    /// <summary>
    /// Mean retrieval recall of <paramref name="a"/> minus that of <paramref name="b"/>, over the seeds both ran with;
    /// with 2 or more such seeds, the 95% t-interval of the per-seed differences (paired: same seed, same data order).
    /// </summary>
    public static Difference RecallDifference(IReadOnlyList<JsonObject> results, string a, string b)
    {
        var (ra, rb) = (MeanRecallBySeed(results, a), MeanRecallBySeed(results, b));
        var d = ra.Keys.Intersect(rb.Keys).Order().Select(s => ra[s] - rb[s]).ToList();
        if (d.Count == 0) throw new ArgumentException($"variants {a} and {b} share no seed in these results");
        var mean = d.Average();
        if (d.Count < 2) return new Difference(mean, null, null, d.Count);
        var sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (d.Count - 1));
        var half = T975(d.Count - 1) * sd / Math.Sqrt(d.Count);
        return new Difference(mean, mean - half, mean + half, d.Count);
    }

    /// <summary>The 97.5% quantile of Student's t with <paramref name="df"/> degrees of freedom (table to 30, then 1.96).</summary>
    public static double T975(int df)
    {
        double[] table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
            2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042];
        ArgumentOutOfRangeException.ThrowIfLessThan(df, 1);
        return df <= table.Length ? table[df - 1] : 1.96;
    }

    private static double? Value(JsonObject r, string path)
    {
        JsonNode? node = r;
        foreach (var part in path.Split('.')) node = node?[part];
        return node is not JsonValue v ? null
            : v.TryGetValue<double>(out var d) ? d : v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i : null;
    }
}
