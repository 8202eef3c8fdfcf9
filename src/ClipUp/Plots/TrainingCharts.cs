using System.Text.Json.Nodes;
using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace ClipUp.Plots;

/// <summary>Charts of training runs read from metrics.jsonl (one series per run).</summary>
public static class TrainingCharts
{
    /// <summary>
    /// A line chart of one metric against step, one line per named run. <paramref name="stepOffsets"/> shifts a run
    /// that continues another (its step 1 is drawn at offset + 1), so continuations read on one time axis.
    /// </summary>
    public static GenericChart Curve(IReadOnlyDictionary<string, IReadOnlyList<JsonObject>> runs, string metric, string title, string yTitle,
        IReadOnlyDictionary<string, int>? stepOffsets = null)
    {
        var lines = runs.Select(run =>
        {
            var points = run.Value.Where(r => r[metric] is not null).ToList();
            return CSharpChart.Line<int, double, string>(
                x: points.Select(r => (int)r["step"]! + (stepOffsets?.GetValueOrDefault(run.Key) ?? 0)), y: points.Select(r => (double)r[metric]!), Name: run.Key, ShowMarkers: false);
        });
        return Charts.Layout(CSharpChart.Combine(lines), title, "optimizer step", yTitle);
    }
}
