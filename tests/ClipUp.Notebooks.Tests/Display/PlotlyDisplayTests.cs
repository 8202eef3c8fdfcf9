using Plotly.NET;

namespace ClipUp.Notebooks.Tests.Display;

public class PlotlyDisplayTests
{
    private static GenericChart Chart(int n) =>
        Plotly.NET.CSharp.Chart.Line<int, int, string>(Enumerable.Range(0, n).ToArray(), Enumerable.Range(0, n).Select(i => i * i).ToArray());

    [Fact]
    public void TheFirstChartCarriesPlotlyJsInlineAndNoChartReferencesACdn()
    {
        var display = ClipUp.Notebooks.Display.CreateDefault();
        var first = display.Format(Chart(3))[Mime.Html];
        var second = display.Format(Chart(4))[Mime.Html];

        // A stretch from the middle of the minified library proves the source itself is inlined.
        var js = PlotlyFormatter.PlotlyJs;
        Assert.True(js.Length > 1_000_000, $"plotly-cartesian.min.js is {js.Length} characters");
        Assert.Contains("plotly.js (cartesian - minified) v2.30.1", first);
        Assert.Contains(js.Substring(js.Length / 2, 300), first);
        Assert.DoesNotContain(js.Substring(js.Length / 2, 300), second);
        foreach (var html in new[] { first, second })
        {
            // plotly.js itself mentions cdn.plot.ly as the default topojson URL for geo maps; nothing else may.
            var ours = html.Replace(js, "", StringComparison.Ordinal);
            Assert.DoesNotContain("cdn.plot.ly", ours);
            Assert.DoesNotContain("https://", ours);
            Assert.DoesNotMatch("<script[^>]*src=", html);
            Assert.Contains("Plotly.newPlot(", html);
        }
    }

    [Fact]
    public void ChartIdsAreDerivedFromTheChartSoReRunsWriteIdenticalOutputs()
    {
        var a = ClipUp.Notebooks.Display.CreateDefault().Format(Chart(5));
        var b = ClipUp.Notebooks.Display.CreateDefault().Format(Chart(5));

        Assert.Equal(a[Mime.Html], b[Mime.Html]);
        Assert.DoesNotMatch("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", a[Mime.Html][^3000..]);
        Assert.StartsWith("Plotly chart (clipup_plot_", a[Mime.Plain]);
    }

    [Fact]
    public async Task AChartAsACellResultIsHtmlThatRoundTripsThroughIpynb()
    {
        var engine = new NotebookEngine("smoke", Path.GetTempPath());
        var (executed, failure) = await NotebookRunner.RunAsync(
            Notebook.Create(NotebookCell.Code("var xs = new[] { 1, 2, 3 };\nPlotly.NET.CSharp.Chart.Point<int, int, string>(xs, xs)")),
            engine, TestContext.Current.CancellationToken);

        Assert.Null(failure);
        var html = Assert.IsType<ExecuteResultOutput>(Assert.Single(executed.Cells[0].Outputs)).Data[Mime.Html];
        Assert.Contains("plotly.js (cartesian - minified) v2.30.1", html);
        var back = Ipynb.Parse(Ipynb.Serialize(executed));
        Assert.Equal(html, Assert.IsType<ExecuteResultOutput>(Assert.Single(back.Cells[0].Outputs)).Data[Mime.Html]);
    }
}
