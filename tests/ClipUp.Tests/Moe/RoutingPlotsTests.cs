using ClipUp.Model;
using ClipUp.Moe;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Moe;

public class RoutingPlotsTests
{
    [Fact]
    public void TheLoadHeatmapAndTableDescribeEveryLayerAndStayOffline()
    {
        using var model = MoeModels.Create(ClipConfig.Tiny, new MoeConfig { NumExperts = 4, TopK = 1 }, seed: 1);
        var (images, tokens) = MoeTestData.Batch(4);
        model.call(images, tokens);
        var reports = Routing.Take(model).Reports;
        var (rows, load) = RoutingPlots.LoadMatrix(reports);
        Assert.Equal(["image L1", "text L1"], rows);
        Assert.All(load, row => Assert.Equal(1.0, row.Sum(), 6));   // shares of processed tokens
        var table = RoutingPlots.Table(reports);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal(4 * 17, (int)table["tokens"][0]);               // 4 images × (4² patches + class token)
        var html = RoutingPlots.Html(reports);
        Assert.Contains("plotly.js v2", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.Contains("MoE layer", html);
        Assert.Contains("dropped_fraction", html);
    }
}
