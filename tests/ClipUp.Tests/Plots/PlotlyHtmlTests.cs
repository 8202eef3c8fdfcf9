using System.Text.Json.Nodes;
using ClipUp.Plots;

namespace ClipUp.Tests.Plots;

public class PlotlyHtmlTests
{
    [Fact]
    public void AReportPageInlinesPlotlyJsAndReferencesNoCdn()
    {
        var runs = new Dictionary<string, IReadOnlyList<JsonObject>>
        {
            ["dense"] = [new JsonObject { ["step"] = 1, ["loss"] = 4.0 }, new JsonObject { ["step"] = 2, ["loss"] = 3.5 }],
        };
        var chart = TrainingCharts.Curve(runs, "loss", "Training loss", "loss (nats)");
        var fragment = PlotlyHtml.ChartFragment(chart);
        var page = PlotlyHtml.Page("report", [fragment]);
        Assert.Contains("plotly.js v2", page);                  // the bundled library's banner comment
        // plotly.js itself mentions cdn.plot.ly as a default topojson URL; what matters is that nothing loads from it.
        Assert.DoesNotContain("cdn.plot.ly", fragment);
        Assert.DoesNotContain("src=\"http", page);
        Assert.Contains("Training loss", page);
        Assert.Contains("loss (nats)", page);
        Assert.Contains("optimizer step", page);
    }
}
