using System.Text.Json.Nodes;
using ClipUp.Experiments;
using ClipUp.Model;

namespace ClipUp.Tests.Experiments;

public sealed class ExperimentRunnerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-runner-").FullName;

    // A few steps of the tiny preset: enough to exercise baselines, upcycling, evaluation and the result files.
    private static readonly ProfileSpec Micro = ExperimentCatalog.Profile("smoke") with { DenseSteps = 4, ContinueSteps = 2, BatchSize = 8 };

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static JsonObject Read(string file) => JsonNode.Parse(File.ReadAllText(file))!.AsObject();

    [Fact]
    public void WideningMultipliesWidthsAndHeadsAndKeepsHeadWidthDepthAndTokens()
    {
        var wide = ClipConfig.Tiny.Widen(2);
        Assert.Equal((128, 128, 8, 128, 8), (wide.EmbedDim, wide.Vision.Width, wide.Vision.Heads, wide.Text.Width, wide.Text.Heads));
        Assert.Equal(ClipConfig.Tiny.Vision.Width / ClipConfig.Tiny.Vision.Heads, wide.Vision.Width / wide.Vision.Heads);
        Assert.Equal((ClipConfig.Tiny.Vision.Layers, ClipConfig.Tiny.Vision.Tokens, ClipConfig.Tiny.Text.ContextLength),
            (wide.Vision.Layers, wide.Vision.Tokens, wide.Text.ContextLength));
        Assert.Equal(ClipConfig.Tiny, ClipConfig.Tiny.Widen(1));
        var e = Assert.Throws<ArgumentException>(() => ClipConfig.S16_96.Widen(0.25));   // 6 heads × 0.25 = 1.5
        Assert.Contains("vision heads 6", e.Message);
    }

    [Fact]
    public void TheScaleSweepTrainsOneDenseBaselinePerWidthAndEveryVariantAtItsWidth()
    {
        var spec = ExperimentCatalog.Get("scale");
        var files = ExperimentRunner.Run(spec, "micro", Micro, dir);

        var names = files.Select(f => Path.GetFileNameWithoutExtension(f)).Order().ToList();
        Assert.Equal(new[] { "clip-up-x0.5-seed0", "clip-up-x1-seed0", "clip-up-x2-seed0", "dense-continued-x0.5-seed0", "dense-continued-x1-seed0",
            "dense-continued-x2-seed0", "dense-seed0", "dense-x0.5-seed0", "dense-x2-seed0" }, names);
        double Gflops(string name) => Read(Path.Combine(dir, "scale", "micro", name + ".json"))["accounting"]!["forward_gflops"]!.GetValue<double>();
        // Width² sets the matmul FLOPs; attention's n² term grows only ×width, so each rung costs a bit under 4×.
        Assert.InRange(Gflops("dense-continued-x2-seed0") / Gflops("dense-continued-x1-seed0"), 3.0, 4.0);
        Assert.InRange(Gflops("dense-continued-x1-seed0") / Gflops("dense-continued-x0.5-seed0"), 3.0, 4.0);
        Assert.True(Gflops("clip-up-x1-seed0") > Gflops("dense-continued-x1-seed0"), "top-2 adds one expert's MLP FLOPs");
        Assert.True(Gflops("clip-up-x1-seed0") < Gflops("dense-continued-x2-seed0"), "the upcycled model costs less than the next dense rung");
        var config = Read(Path.Combine(dir, "scale", "micro", "clip-up-x2-seed0.json"))["config"]!;
        Assert.Equal(2.0, config["width"]!.GetValue<double>());
        Assert.Equal(Micro.ContinueSteps, config["train"]!["steps"]!.GetValue<int>());

        // Finished variants are skipped on a second run: nothing new is written.
        Assert.Empty(ExperimentRunner.Run(spec, "micro", Micro, dir));
    }

    [Fact]
    public void TheCapacityGridReproducesEachVariantsOwnScoreAtItsTrainingFactor()
    {
        var spec = ExperimentCatalog.Get("capacity-factor") is var e ? e with { Variants = e.Variants.Take(2).ToList() } : null!;
        ExperimentRunner.Run(spec, "micro", Micro, dir);
        var results = Path.Combine(dir, "capacity-factor", "micro");

        var grid = CapacityGrid.Evaluate(results, [1.0, 4.0]);

        Assert.Equal(4, grid.Count);                                     // 2 MoE variants × 2 evaluation factors; the dense baseline has no grid
        foreach (var variant in new[] { "cf-1.0", "cf-1.25" })
        {
            var retrieval = Read(Path.Combine(results, variant + "-seed0.json"))["retrieval"]!;
            double recorded = new[] { "text_to_image_r1", "text_to_image_r5", "text_to_image_r10", "image_to_text_r1", "image_to_text_r5", "image_to_text_r10" }
                .Average(k => retrieval[k]!.GetValue<double>());
            var cell = grid.Single(c => c.Variant == variant && c.EvalFactor == (variant == "cf-1.0" ? 1.0 : 4.0));
            if (variant == "cf-1.0") Assert.Equal(recorded, cell.MeanRecall, 6);   // same checkpoint, same factor: same score
            Assert.InRange(cell.MeanRecall, 0, 100);
        }
    }
}
