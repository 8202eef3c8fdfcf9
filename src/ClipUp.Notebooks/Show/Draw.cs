using Plotly.NET;
using ClipUp.Plots;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace ClipUp.Notebooks.Show;

/// <summary>
/// Bar and line charts with a title and labelled axes in one call, without Plotly.NET's generic and F#-option
/// plumbing. Bars whose values span more than <see cref="LogSpan"/> orders of magnitude (all positive) get a log y
/// axis, so one large bar does not flatten the others to invisible.
/// </summary>
public static class Draw
{
    /// <summary>Orders of magnitude between the largest and smallest positive bar above which the y axis turns logarithmic.</summary>
    public const double LogSpan = 1.5;

    /// <summary>One bar per label.</summary>
    public static GenericChart Bars(IEnumerable<string> labels, IEnumerable<double> values, string title, string xTitle, string yTitle) =>
        GroupedBars(labels, new Dictionary<string, IEnumerable<double>> { [yTitle] = values }, title, xTitle, yTitle, showLegend: false);

    /// <summary>Grouped bars: one series per entry of <paramref name="series"/>, one group per label.</summary>
    public static GenericChart GroupedBars(IEnumerable<string> labels, IReadOnlyDictionary<string, IEnumerable<double>> series,
        string title, string xTitle, string yTitle, bool showLegend = true)
    {
        var keys = labels.ToList();
        var data = series.ToDictionary(s => s.Key, s => s.Value.ToList());
        foreach (var (name, values) in data)
            if (values.Count != keys.Count) throw new ArgumentException($"series '{name}' has {values.Count} values for {keys.Count} labels", nameof(series));
        var traces = data.Select(s => CSharpChart.Column<double, string, string>(values: s.Value,
            Keys: new Plotly.NET.CSharp.Optional<IEnumerable<string>>(keys, true), Name: s.Key, ShowLegend: showLegend));
        var all = data.Values.SelectMany(v => v).Where(double.IsFinite).ToList();
        var log = all.Count > 0 && all.All(v => v > 0) && Math.Log10(all.Max() / all.Min()) > LogSpan;
        return Charts.Layout(CSharpChart.Combine(traces), title, xTitle, log ? yTitle + " (log scale)" : yTitle, logY: log);
    }

    /// <summary>
    /// Small multiples: one bar panel per series, side by side, each with its own y scale, for quantities of different
    /// sizes (a z-loss of 16 beside an entropy of 0.2) that one axis would flatten; zeros stay visible as zeros, which a
    /// log axis cannot show. The legend names the panels, left to right.
    /// </summary>
    public static GenericChart Panels(IEnumerable<string> labels, IReadOnlyDictionary<string, IEnumerable<double>> series, string title, string xTitle)
    {
        var keys = labels.ToList();
        var charts = series.Select(s => CSharpChart.Column<double, string, string>(values: s.Value.ToList(),
            Keys: new Plotly.NET.CSharp.Optional<IEnumerable<string>>(keys, true), Name: s.Key)).ToList();
        var grid = CSharpChart.Grid(charts, nRows: 1, nCols: charts.Count);
        return Charts.Layout(grid, title, xTitle, "value (each panel has its own scale)", width: Math.Max(900, 220 * charts.Count));
    }

    /// <summary>Lines with markers: one series per entry, all over the same x values.</summary>
    public static GenericChart Lines(IEnumerable<double> x, IReadOnlyDictionary<string, IEnumerable<double>> series,
        string title, string xTitle, string yTitle, bool logX = false)
    {
        var xs = x.ToList();
        var traces = series.Select(s => CSharpChart.Line<double, double, string>(x: xs, y: s.Value.ToList(), Name: s.Key, ShowMarkers: true));
        return Charts.Layout(CSharpChart.Combine(traces), title, xTitle, yTitle, logX: logX);
    }
}
