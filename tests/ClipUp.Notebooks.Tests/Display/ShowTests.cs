using System.Text.Json.Nodes;
using ClipUp.Notebooks.Interop;
using ClipUp.Notebooks.Show;
using Microsoft.Data.Analysis;

namespace ClipUp.Notebooks.Tests.Display;

/// <summary>The notebook display helpers: numbers by meaning, tables from records, charts that show every bar.</summary>
public class ShowTests
{
    [Theory]
    [InlineData(0.9999999403953552, "1.000")]
    [InlineData(2.3684760682113164E-15, "2.368e-15")]
    [InlineData(0.69314718, "0.6931")]
    [InlineData(1234.5678, "1235")]
    [InlineData(-0.000123456, "-0.0001235")]
    [InlineData(9999.6, "10000")]
    [InlineData(0, "0")]
    public void SigKeepsFourSignificantDigits(double x, string expected) => Assert.Equal(expected, Num.Sig(x));

    [Theory]
    [InlineData(2.5, "2.5")]
    [InlineData(0.9999999403953552, "1")]
    [InlineData(2.3684760682113164E-15, "2.368e-15")]
    [InlineData(3.1e-9, "3.1e-9")]
    public void ShortDropsTrailingZeros(double x, string expected) => Assert.Equal(expected, Num.Short(x));

    [Theory]
    [InlineData(3849345, "3.85 M")]
    [InlineData(512, "512")]
    [InlineData(12_345, "12.3 k")]
    [InlineData(2.5e9, "2.50 G")]
    [InlineData(0.25, "0.25")]
    public void CountsGetAnSiSuffixAndThreeSignificantDigits(double n, string expected) => Assert.Equal(expected, Num.Count(n));

    [Fact]
    public void PercentagesAndPointsHaveFixedDecimals()
    {
        Assert.Equal("63.2%", Num.Percent(63.17));
        Assert.Equal("1.25%", Num.FractionAsPercent(0.0125, 2));
        Assert.Equal("+2.4 pp", Num.Points(2.44));
        Assert.Equal("−0.8 pp", Num.Points(-0.75));
        Assert.Equal("63.2% [58.1, 68.3]", Num.PercentWithInterval(63.17, 58.12, 68.26));
    }

    [Fact]
    public void ATableFromRecordsKeepsTypesOrderAndShowsAtMostFourDigits()
    {
        var df = Table.Of(new[] { new { variant = "dense", params_M = 3849345L, loss = 0.9999999403953552, ok = true } });

        Assert.Equal(["variant", "params M", "loss", "ok"], df.Columns.Select(c => c.Name));
        Assert.IsType<StringDataFrameColumn>(df.Columns[0]);
        Assert.IsType<Int64DataFrameColumn>(df.Columns[1]);
        Assert.IsType<DoubleDataFrameColumn>(df.Columns[2]);
        var bundle = ClipUp.Notebooks.Display.CreateDefault().Format(df);
        Assert.Contains("<td>1</td>", bundle[Mime.Html]);
        Assert.DoesNotContain("0.99999", bundle[Mime.Html] + bundle[Mime.Plain]);
        Assert.Equal("variant  params M  loss  ok  \ndense    3849345   1     True", bundle[Mime.Plain]);
    }

    [Fact]
    public void BarsSpanningOrdersOfMagnitudeGetALogAxisAndOthersDoNot()
    {
        var flattened = Plotly.NET.GenericChart.toJson(Draw.Bars(["a", "b"], [0.01, 10.0], "t", "variant", "loss"));
        var even = Plotly.NET.GenericChart.toJson(Draw.Bars(["a", "b"], [1.0, 2.0], "t", "variant", "loss"));

        Assert.Equal("log", JsonNode.Parse(flattened)!["layout"]!["yaxis"]!["type"]!.GetValue<string>());
        Assert.Equal("loss (log scale)", JsonNode.Parse(flattened)!["layout"]!["yaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Null(JsonNode.Parse(even)!["layout"]!["yaxis"]!["type"]);
        Assert.Equal("variant", JsonNode.Parse(even)!["layout"]!["xaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Throws<ArgumentException>(() => Draw.GroupedBars(["a", "b"], new Dictionary<string, IEnumerable<double>> { ["s"] = [1.0] }, "t", "x", "y"));
    }

    [Fact]
    public void PanelsGiveEachSeriesItsOwnAxis()
    {
        var json = JsonNode.Parse(Plotly.NET.GenericChart.toJson(Draw.Panels(["a", "b"],
            new Dictionary<string, IEnumerable<double>> { ["z-loss"] = [16.0, 0.0], ["entropy"] = [0.2, 1.1] }, "t", "router")))!;

        var traces = json["data"]!.AsArray();
        Assert.Equal(["z-loss", "entropy"], traces.Select(t => t!["name"]!.GetValue<string>()));
        Assert.NotEqual(traces[0]!["yaxis"]?.GetValue<string>() ?? "y", traces[1]!["yaxis"]?.GetValue<string>() ?? "y");
    }

    [Fact]
    public void TheForeignFormatterFormatsAValueOnceForAllItsMimeTypes()
    {
        var formatter = new ForeignFormatter();
        var chart = Draw.Bars(["a"], [1.0], "t", "x", "y");

        var html = formatter.Format(chart, Mime.Html);
        var plain = formatter.Format(chart, Mime.Plain);

        Assert.Contains("plotly.js (cartesian - minified) v2.30.1", html); // the first chart carries plotly.js
        Assert.Matches(@"^Plotly chart \(clipup_plot_[0-9a-f]{16}\)$", plain);
        Assert.Contains(plain[14..^1], html); // the same chart, not a second formatting with a new id
        Assert.StartsWith("<img src=\"data:image/png;base64,iVBOR", formatter.Format(TorchSharp.torch.zeros(3, 8, 8), Mime.Html));
    }
}

/// <summary>Experiment results shown by meaning, and the difference between two variants with its interval.</summary>
public class MetricsTests
{
    private static JsonObject Result(string variant, int seed, double recall)
    {
        var retrieval = new JsonObject();
        foreach (var k in new[] { "text_to_image_r1", "text_to_image_r5", "text_to_image_r10", "image_to_text_r1", "image_to_text_r5", "image_to_text_r10" })
            retrieval[k] = recall;
        return new JsonObject { ["variant"] = variant, ["seed"] = seed, ["retrieval"] = retrieval };
    }

    [Fact]
    public void MetricsAreFormattedByMeaning()
    {
        Assert.Equal("63.2%", Metrics.Text("retrieval.text_to_image_r1", 63.17, 0, 1));
        Assert.Equal("3.85 M", Metrics.Text("accounting.total_params", 3849345, 0, 1));
        Assert.Equal("1.25%", Metrics.Text("routing.dropped_fraction", 0.0125, 0, 1));
        Assert.Equal("0.002368", Metrics.Text("accounting.forward_gflops", 0.0023684760682, 0, 1));
        Assert.Equal("63.2% ± 1.3", Metrics.Text("zero_shot.top1", 63.17, 1.26, 3));
    }

    [Fact]
    public void ADifferenceOverPairedSeedsHasTheLibrarysSeedsTimesItemsInterval()
    {
        // Each seed's items: every query of a at rank 0 (recall 100), of b at rank 0 for a share 1 − p and rank 20 for
        // p, so the paired difference of seed s is 100·p_s: 10, 20, 30 → mean 20, an interval around it, status holds.
        JsonObject WithItems(string v, int seed, int misses)
        {
            var r = Result(v, seed, 0);
            var ranks = Enumerable.Range(0, 10).Select(i => i < misses ? 20 : 0).ToArray();
            r["items"] = new JsonObject
            {
                ["retrieval.text_to_image"] = new JsonArray(ranks.Select(x => (JsonNode?)x).ToArray()),
                ["retrieval.image_to_text"] = new JsonArray(ranks.Select(x => (JsonNode?)x).ToArray()),
            };
            return r;
        }
        var results = new[] { WithItems("a", 0, 0), WithItems("a", 1, 0), WithItems("a", 2, 0), WithItems("b", 0, 1), WithItems("b", 1, 2), WithItems("b", 2, 3) };

        var d = Metrics.RecallDifference(results, "a", "b");

        Assert.Equal(20, d.Points, 9);
        Assert.True(d.Low > 0 && d.Low < 20 && d.High > 20);
        Assert.Equal("holds", d.Status);
        Assert.EndsWith("(95% CI over 3 seeds × items: holds)", d.ToString());
        Assert.Matches(@"^\+20\.00 pp \[\+\d+\.\d\d, \+\d+\.\d\d\] ", d.ToString());   // one sign, two decimals, like the README
        Assert.StartsWith("−0.97 pp [−3.07, −0.05]", (d with { Points = -0.97, Low = -3.07, High = -0.05 }).ToString());
        // Result files without items give the point difference and say why there is no interval.
        var old = new[] { Result("a", 0, 12), Result("b", 0, 10) };
        Assert.Equal("+2.0 pp (1 seed, no items kept: no interval)", Metrics.RecallDifference(old, "a", "b").ToString());
        Assert.Throws<ArgumentException>(() => Metrics.RecallDifference([Result("a", 0, 1), Result("b", 1, 1)], "a", "b"));
    }
}
