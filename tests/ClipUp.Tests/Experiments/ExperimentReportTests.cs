using System.Text.Json.Nodes;
using ClipUp.Experiments;

namespace ClipUp.Tests.Experiments;

public class ExperimentReportTests
{
    private static JsonObject Result(string variant, int seed, double r1, double? dropped = null) => new()
    {
        ["variant"] = variant, ["description"] = variant + " run", ["seed"] = seed,
        ["retrieval"] = new JsonObject { ["text_to_image_r1"] = r1 },
        ["routing"] = dropped is null ? null : new JsonObject { ["dropped_fraction"] = dropped },
    };

    [Fact]
    public void VariantsAreSummarisedAsMeanAndSampleStdOverSeeds()
    {
        var rows = ExperimentReport.Summarise([Result("dense", 0, 10), Result("dense", 1, 12), Result("dense", 2, 14), Result("clip-up", 0, 20, 0.05)]);
        Assert.Equal(["dense", "clip-up"], rows.Select(r => r.Variant));
        var (mean, std) = rows[0].Metrics["retrieval.text_to_image_r1"];
        Assert.Equal(12, mean, 9);
        Assert.Equal(2, std, 9);                       // sample std of 10, 12, 14: √((4 + 0 + 4) / 2) = 2
        Assert.Equal(3, rows[0].Seeds);
        Assert.False(rows[0].Metrics.ContainsKey("routing.dropped_fraction"));
        var md = ExperimentReport.Markdown("t", rows);
        Assert.Contains("| dense | 3 | 12.0 ± 2.0 |", md);
        Assert.Contains("| clip-up | 1 | 20.0 | 5.0% |", md);
    }
}
