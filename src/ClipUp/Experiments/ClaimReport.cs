using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ClipUp.Plots;
using ClipUp.Stats;
using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace ClipUp.Experiments;

/// <summary>A claim's verdict on one metric: the paired interval over seeds × items, and the status it implies.</summary>
/// <param name="Interval">Null when no seed has both arms with this metric's items.</param>
public sealed record ClaimResult(Claim Claim, string Metric, Interval? Interval)
{
    public ClaimStatus? Status => Interval is null ? null : ClaimStatusRule.Decide(Interval, Claim.Expected);
}

/// <summary>
/// Decides claims from an experiment's result files: for each seed where both arms finished, the per-item rank arrays
/// (<c>items</c>) give paired differences; <see cref="PairedBootstrap"/> gives the interval; the status follows.
/// </summary>
public static class ClaimReport
{
    public static IReadOnlyList<ClaimResult> Evaluate(string resultsDir, IEnumerable<Claim> claims, IReadOnlyList<string>? metrics = null)
    {
        var results = ExperimentReport.Load(resultsDir);
        var list = new List<ClaimResult>();
        foreach (var claim in claims)
            foreach (var metric in metrics ?? ClaimCatalog.MetricsOf(claim))
            {
                var seeds = new List<SeedDifferences>();
                foreach (var v in results.Where(r => (string?)r["variant"] == claim.Variant).OrderBy(r => (int)r["seed"]!))
                {
                    var b = results.FirstOrDefault(r => (string?)r["variant"] == claim.Baseline && (int)r["seed"]! == (int)v["seed"]!);
                    if (b is null || Ranks(v) is not { } vr || Ranks(b) is not { } br) continue;
                    if (ItemMetrics.Difference(metric, vr, br) is { } d) seeds.Add(d);
                }
                list.Add(new ClaimResult(claim, metric, seeds.Count == 0 ? null : PairedBootstrap.Compute(seeds)));
            }
        return list;
    }

    /// <summary>The per-item ranks a result file holds (<c>items</c>), or null for results written before they were kept.</summary>
    public static IReadOnlyDictionary<string, int[]>? Ranks(JsonObject result) =>
        result["items"] is JsonObject items
            ? items.ToDictionary(p => p.Key, p => p.Value!.AsArray().Select(x => (int)x!).ToArray())
            : null;

    /// <summary>"+1.23 [−0.40, +2.90]": the difference in points with its interval.</summary>
    public static string Format(Interval i) =>
        $"{Signed(i.Mean)} [{Signed(i.Lower)}, {Signed(i.Upper)}]";

    private static string Signed(double v) => (v >= 0 ? "+" : "−") + Math.Abs(v).ToString("F2", CultureInfo.InvariantCulture);

    public static string Markdown(string profile, IReadOnlyList<ClaimResult> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Paired differences variant − baseline in points, mean over seeds with a 95% interval (seeds × items bootstrap); profile {profile}.").AppendLine();
        sb.AppendLine("| claim | variant − baseline | metric | difference [95% CI] | seeds | status |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var r in rows)
            sb.AppendLine($"| {r.Claim.Id}: {r.Claim.Statement} | {r.Claim.Variant} − {r.Claim.Baseline} | {ItemMetrics.Titles.GetValueOrDefault(r.Metric, r.Metric)} | "
                + (r.Interval is { } i ? $"{Format(i)} | {i.Seeds} | **{r.Status!.Value.Word()}**" : "– | 0 | not run") + " |");
        return sb.ToString();
    }

    /// <summary>claim, variant − baseline, metric, difference [95% CI], seeds, status: the markdown table's rows as a DataFrame, for notebooks.</summary>
    public static Microsoft.Data.Analysis.DataFrame ToDataFrame(IReadOnlyList<ClaimResult> rows) => new(
        new Microsoft.Data.Analysis.StringDataFrameColumn("claim", rows.Select(r => r.Claim.Id)),
        new Microsoft.Data.Analysis.StringDataFrameColumn("variant − baseline", rows.Select(r => $"{r.Claim.Variant} − {r.Claim.Baseline}")),
        new Microsoft.Data.Analysis.StringDataFrameColumn("metric", rows.Select(r => ItemMetrics.Titles.GetValueOrDefault(r.Metric, r.Metric))),
        new Microsoft.Data.Analysis.StringDataFrameColumn("difference [95% CI]", rows.Select(r => r.Interval is { } i ? Format(i) : "–")),
        new Microsoft.Data.Analysis.Int32DataFrameColumn("seeds", rows.Select(r => r.Interval?.Seeds ?? 0)),
        new Microsoft.Data.Analysis.StringDataFrameColumn("status", rows.Select(r => r.Status?.Word() ?? "not run")));

    /// <summary>
    /// A rerun against committed results: for each claim and metric, whether the rerun's mean difference falls inside the
    /// committed interval (what "reproduces within the intervals" means for a user who reran an experiment elsewhere).
    /// </summary>
    public static string CompareMarkdown(IReadOnlyList<ClaimResult> rerun, IReadOnlyList<ClaimResult> committed)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| claim | metric | rerun difference | committed difference [95% CI] | rerun inside |");
        sb.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var r in rerun)
        {
            var c = committed.FirstOrDefault(x => x.Claim.Id == r.Claim.Id && x.Metric == r.Metric);
            string inside = r.Interval is { } ri && c?.Interval is { } ci ? (ri.Mean >= ci.Lower && ri.Mean <= ci.Upper ? "yes" : "**no**") : "–";
            sb.AppendLine($"| {r.Claim.Id} {r.Claim.Variant} − {r.Claim.Baseline} | {ItemMetrics.Titles.GetValueOrDefault(r.Metric, r.Metric)} | "
                + $"{(r.Interval is { } a ? Signed(a.Mean) : "–")} | {(c?.Interval is { } b ? Format(b) : "–")} | {inside} |");
        }
        return sb.ToString();
    }

    /// <summary>
    /// The claims' differences on one metric as points with their 95% intervals as error bars and a zero line: a claim
    /// holds where its whole bar lies right of zero (for a claim that the variant is better).
    /// </summary>
    public static GenericChart Chart(IReadOnlyList<ClaimResult> rows, string metric, string profile) => Chart(rows, [metric], profile);

    /// <summary>
    /// The same chart over several metrics, one row per claim and metric (MoDE's claims are decided on retrieval and
    /// three zero-shot tasks): each label names its metric when there is more than one.
    /// </summary>
    public static GenericChart Chart(IReadOnlyList<ClaimResult> rows, IReadOnlyList<string> metrics, string profile)
    {
        var shown = rows.Where(r => metrics.Contains(r.Metric) && r.Interval is not null)
            .OrderBy(r => r.Claim.Id, StringComparer.Ordinal).ThenBy(r => IndexOf(metrics, r.Metric)).ToList();
        string Title(string m) => ItemMetrics.Titles.GetValueOrDefault(m, m);
        var labels = shown.Select(r => $"{r.Claim.Id}: {r.Claim.Variant} − {r.Claim.Baseline}" + (metrics.Count > 1 ? $" · {Short(Title(r.Metric))}" : "")
            + $" ({r.Status!.Value.Word()})").ToList();
        var means = shown.Select(r => r.Interval!.Mean).ToList();
        var point = CSharpChart.Point<double, string, string>(x: means, y: labels, Name: "difference");
        var errors = new Dictionary<string, object>
        {
            ["type"] = "data", ["symmetric"] = false,
            ["array"] = shown.Select(r => r.Interval!.Upper - r.Interval.Mean).ToArray(),
            ["arrayminus"] = shown.Select(r => r.Interval!.Mean - r.Interval.Lower).ToArray(),
        };
        point = GenericChart.mapTrace(Microsoft.FSharp.Core.FuncConvert.FromFunc<Trace, Trace>(t => { t.SetProperty("error_x", errors); return t; }), point);
        var chart = Charts.Layout(point, $"Paired difference variant − baseline, 95% interval ({profile} profile)",
            metrics.Count == 1 ? $"{Title(metrics[0])}: difference in points" : "difference in points", "claim", height: 120 + 40 * Math.Max(1, shown.Count));
        var layout = GenericChart.getLayout(chart);
        layout.SetProperty("shapes", new[] { new Dictionary<string, object> { ["type"] = "line", ["x0"] = 0, ["x1"] = 0, ["yref"] = "paper", ["y0"] = 0, ["y1"] = 1,
            ["line"] = new Dictionary<string, object> { ["dash"] = "dot", ["color"] = "grey" } } });
        layout.SetProperty("margin", new Dictionary<string, object> { ["l"] = metrics.Count > 1 ? 460 : 320 });
        return chart;
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == item) return i;
        return -1;
    }

    // "mean retrieval recall (T→I and I→T R@1/5/10)" → "mean retrieval recall": labels sit beside the chart, keep them short.
    private static string Short(string title) => title.IndexOf(" (T→I", StringComparison.Ordinal) is var i and > 0 ? title[..i] : title;
}
