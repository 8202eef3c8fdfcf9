using Plotly.NET;
using Plotly.NET.LayoutObjects;

namespace ClipUp.Plots;

/// <summary>
/// Shared chart styling: every ClipUp figure has a title and labelled axes (STYLE §3, rule 6). Plotly.NET 6 dropped the
/// C# <c>With*</c> extensions and its F# styling functions take F# options, so the layout is set here, once.
/// </summary>
public static class Charts
{
    /// <param name="logX">A logarithmic x axis (costs that grow by factors, e.g. FLOPs across model widths).</param>
    /// <param name="logY">A logarithmic y axis (bars that span orders of magnitude).</param>
    public static GenericChart Layout(GenericChart chart, string title, string xTitle, string yTitle, int width = 900, int height = 380,
        bool logX = false, bool logY = false)
    {
        var layout = new Plotly.NET.Layout();
        layout.SetProperty("title", new Dictionary<string, object> { ["text"] = title });
        var xaxis = new Dictionary<string, object> { ["title"] = new Dictionary<string, object> { ["text"] = xTitle } };
        if (logX) xaxis["type"] = "log";
        layout.SetProperty("xaxis", xaxis);
        var yaxis = new Dictionary<string, object> { ["title"] = new Dictionary<string, object> { ["text"] = yTitle } };
        if (logY) yaxis["type"] = "log";
        layout.SetProperty("yaxis", yaxis);
        layout.SetProperty("width", width);
        layout.SetProperty("height", height);
        return GenericChart.addLayout(layout, chart);
    }
}
