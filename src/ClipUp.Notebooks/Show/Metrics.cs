using System.Text.Json.Nodes;
using ClipUp.Experiments;
using ClipUp.Stats;
using Microsoft.Data.Analysis;

namespace ClipUp.Notebooks.Show;

/// <summary>
/// One variant against another on one score: the difference in points and, where the results kept their evaluation
/// items, the library's 95% interval over seeds × items (ClipUp.Stats.PairedBootstrap) and the status it implies.
/// </summary>
/// <param name="Points">Mean over paired seeds of <c>a − b</c> in percentage points.</param>
/// <param name="Low">Lower end of the 95% interval; null when the results hold no per-item ranks (older result files).</param>
/// <param name="High">Upper end; null likewise.</param>
/// <param name="Seeds">Seeds both variants ran with.</param>
/// <param name="Status">holds / reversed / inconclusive for "a is better than b", computed from the interval.</param>
public sealed record Difference(double Points, double? Low, double? High, int Seeds, string? Status = null)
{
    /// <summary>
    /// "+0.42 pp [+0.09, +0.72] (95% CI over 3 seeds × items: holds)", as the README's claims table writes it (one sign
    /// and two decimals for the mean and both ends), or "+2.0 pp (3 seeds, no items kept: no interval)".
    /// </summary>
    public override string ToString() => Low is { } lo && High is { } hi
        ? $"{Num.Points(Points, 2)} [{Signed(lo)}, {Signed(hi)}] (95% CI over {Seeds} seed{(Seeds == 1 ? "" : "s")} × items: {Status})"
        : $"{Num.Points(Points)} ({Seeds} seed{(Seeds == 1 ? "" : "s")}, no items kept: no interval)";

    private static string Signed(double x) => Num.Points(x, 2)[..^3];
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
            path.StartsWith("retrieval.", StringComparison.Ordinal) || path.StartsWith("zero_shot", StringComparison.Ordinal) ? Num.Percent(v)
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
    /// Mean retrieval recall of <paramref name="a"/> minus that of <paramref name="b"/> over the seeds both ran with
    /// (paired: same seed, same data order, same evaluation items), with the interval and status of
    /// <see cref="ClaimReport"/>: the same numbers the README's claims table shows.
    /// </summary>
    public static Difference RecallDifference(IReadOnlyList<JsonObject> results, string a, string b)
    {
        var (ra, rb) = (MeanRecallBySeed(results, a), MeanRecallBySeed(results, b));
        var seeds = ra.Keys.Intersect(rb.Keys).Order().ToList();
        if (seeds.Count == 0) throw new ArgumentException($"variants {a} and {b} share no seed in these results");
        var points = seeds.Average(s => ra[s] - rb[s]);
        JsonObject Of(string v, long seed) => results.First(r => (string?)r["variant"] == v && (long)(Value(r, "seed") ?? 0) == seed);
        var paired = seeds.Select(s => (ClaimReport.Ranks(Of(a, s)), ClaimReport.Ranks(Of(b, s))))
            .Select(p => p.Item1 is { } x && p.Item2 is { } y ? ItemMetrics.Difference("retrieval.mean_recall", x, y) : null).ToList();
        if (paired.Any(d => d is null)) return new Difference(points, null, null, seeds.Count);
        var interval = PairedBootstrap.Compute(paired!);
        return new Difference(interval.Mean, interval.Lower, interval.Upper, seeds.Count, ClaimStatusRule.Decide(interval, +1).Word());
    }

    private static double? Value(JsonObject r, string path)
    {
        JsonNode? node = r;
        foreach (var part in path.Split('.')) node = node?[part];
        return node is not JsonValue v ? null
            : v.TryGetValue<double>(out var d) ? d : v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i : null;
    }
}
