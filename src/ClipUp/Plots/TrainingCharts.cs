using System.Text.Json.Nodes;
using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace ClipUp.Plots;

/// <summary>Charts of training runs read from metrics.jsonl (one series per run).</summary>
public static class TrainingCharts
{
    /// <summary>Line style of the i-th run: solid first, then dashed and dotted with markers, so overlapping curves stay visible.</summary>
    private static readonly StyleParam.DrawingStyle[] Dashes =
        [StyleParam.DrawingStyle.Solid, StyleParam.DrawingStyle.Dash, StyleParam.DrawingStyle.Dot, StyleParam.DrawingStyle.DashDot];

    /// <summary>
    /// A line chart of one metric against step, one line per named run. <paramref name="stepOffsets"/> shifts a run
    /// that continues another (its step 1 is drawn at offset + 1), so continuations read on one time axis;
    /// <paramref name="continues"/> names the run each one continues, whose last point then starts the continuation's
    /// line, so it joins its parent without a gap. Runs after the first are dashed or dotted and marked, so a line
    /// that lies on another is still seen.
    /// </summary>
    public static GenericChart Curve(IReadOnlyDictionary<string, IReadOnlyList<JsonObject>> runs, string metric, string title, string yTitle,
        IReadOnlyDictionary<string, int>? stepOffsets = null, IReadOnlyDictionary<string, string>? continues = null)
    {
        var points = runs.ToDictionary(run => run.Key, run => run.Value.Where(r => r[metric] is not null)
            .Select(r => ((int)r["step"]! + (stepOffsets?.GetValueOrDefault(run.Key) ?? 0), (double)r[metric]!)).ToList());
        var lines = runs.Keys.Select((name, i) =>
        {
            var line = points[name];
            if (continues?.GetValueOrDefault(name) is { } parent && points.TryGetValue(parent, out var from) && from.Count > 0)
                line = [from[^1], .. line];
            return CSharpChart.Line<int, double, string>(x: line.Select(p => p.Item1), y: line.Select(p => p.Item2), Name: name,
                ShowMarkers: i > 0, LineDash: Dashes[i % Dashes.Length]);
        });
        return Charts.Layout(CSharpChart.Combine(lines), title, "optimizer step", yTitle);
    }
}
