using System.Globalization;
using ClipUp.Plots;
using Microsoft.Data.Analysis;
using Plotly.NET;
using TorchSharp;
using static TorchSharp.torch;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace ClipUp.Moe;

/// <summary>
/// Routing diagnostics for notebooks and reports (clip-up.md §6.14): a layer × expert load heatmap and a per-layer
/// table. These read tensors back to the host (they are the place to sync, not the forward pass). HTML output inlines
/// plotly.js (<see cref="PlotlyHtml"/>), never a CDN.
/// </summary>
public static class RoutingPlots
{
    /// <summary>
    /// Each report's expert load as a share of its processed assignments, one row per report (label as
    /// <see cref="RoutingReport.Label"/>), one column per expert; a balanced layer has 1/E everywhere.
    /// </summary>
    public static (IReadOnlyList<string> Rows, double[][] Load) LoadMatrix(IReadOnlyList<RoutingReport> reports)
    {
        var rows = reports.Select(r => r.Label).ToList();
        var load = reports.Select(r =>
        {
            var counts = Host(r.TokensPerExpert);
            double sum = Math.Max(counts.Sum(), 1);
            return counts.Select(c => c / sum).ToArray();
        }).ToArray();
        return (rows, load);
    }

    /// <summary>A heatmap of <see cref="LoadMatrix"/>: y = MoE layer (and modality), x = expert, colour = share of tokens.</summary>
    public static GenericChart LoadHeatmap(IReadOnlyList<RoutingReport> reports, string title = "Expert load per MoE layer")
    {
        var (rows, load) = LoadMatrix(reports);
        int experts = load.Length == 0 ? 0 : load[0].Length;
        var chart = CSharpChart.Heatmap<double, string, string, string>(
            zData: load,
            X: new Plotly.NET.CSharp.Optional<IEnumerable<string>>(Enumerable.Range(0, experts).Select(e => $"expert {e}"), true),
            Y: new Plotly.NET.CSharp.Optional<IEnumerable<string>>(rows, true),
            ReverseYAxis: new Plotly.NET.CSharp.Optional<bool>(true, true));                     // first report on top
        return Charts.Layout(chart, title, "expert", "MoE layer", height: 120 + 40 * rows.Count);
    }

    /// <summary>
    /// One row per report: tower, modality, layer, tokens, capacity, dropped tokens and fraction, load balance, z-loss,
    /// local and global entropy (nats), max load (busiest expert's share × E; 1 = balanced) and aux loss.
    /// </summary>
    public static DataFrame Table(IReadOnlyList<RoutingReport> reports)
    {
        DataFrameColumn Doubles(string name, Func<RoutingReport, double> f) => new DoubleDataFrameColumn(name, reports.Select(f));
        return new DataFrame(
            new StringDataFrameColumn("tower", reports.Select(r => r.Tower.ToString())),
            new StringDataFrameColumn("modality", reports.Select(r => r.Modality.ToString())),
            new Int32DataFrameColumn("layer", reports.Select(r => r.Layer)),
            new Int32DataFrameColumn("tokens", reports.Select(r => r.Tokens)),
            new Int32DataFrameColumn("capacity", reports.Select(r => r.Capacity)),
            Doubles("dropped_tokens", r => Scalar(r.DroppedTokens)),
            Doubles("dropped_fraction", r => Scalar(r.DroppedFraction)),
            Doubles("load_balance", r => Scalar(r.LoadBalance)),
            Doubles("z_loss", r => Scalar(r.ZLoss)),
            Doubles("local_entropy", r => Scalar(r.LocalEntropy)),
            Doubles("global_entropy", r => Scalar(r.GlobalEntropy)),
            Doubles("max_load", r => { var c = Host(r.TokensPerExpert); return c.Max() / Math.Max(c.Sum(), 1) * r.NumExperts; }),
            Doubles("aux_loss", r => Scalar(r.AuxLoss)));
    }

    /// <summary>A self-contained HTML page with the heatmap and the table.</summary>
    public static string Html(IReadOnlyList<RoutingReport> reports, string title = "MoE routing")
    {
        var table = Table(reports);
        var header = table.Columns.Select(c => c.Name).ToList();
        var rows = Enumerable.Range(0, (int)table.Rows.Count).Select(i =>
            (IReadOnlyList<string>)table.Columns.Select(c => Format(c[i])).ToList());
        return PlotlyHtml.Page(title, [PlotlyHtml.ChartFragment(LoadHeatmap(reports)), PlotlyHtml.Table(header, rows)]);
    }

    public static void SaveHtml(string path, IReadOnlyList<RoutingReport> reports, string title = "MoE routing") =>
        File.WriteAllText(path, Html(reports, title));

    private static double[] Host(Tensor t) => t.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();

    private static double Scalar(Tensor t) => t.detach().to(ScalarType.Float64).cpu().item<double>();

    private static string Format(object? value) => value switch
    {
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        null => "",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
