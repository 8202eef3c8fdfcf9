using ClipUp.Experiments;
using ClipUp.Mode;

namespace ClipUp.Tests.Experiments;

public class ModeExperimentCatalogTests
{
    static readonly ModeConfig Base = new() { Clustering = new ModeClusteringConfig { Embedder = "tfidf", FineClusters = 16 }, Out = "unused" };

    static string Out(string experiment, string variant) =>
        ModeExperimentRunner.PipelineConfig(Base, ModeExperimentCatalog.Get(experiment).Variants.Single(v => v.Name == variant), "/r/_mode/smoke/seed0")!.Out;

    [Fact]
    public void EveryExperimentHasUniqueVariantsWithKnownMethods()
    {
        string[] methods = ["dense", "seed", "routed_code", "routed_paper", "uniform", "oracle", "single_best_code", "expert_0", "expert_1"];
        Assert.Equal(["mode-experts", "mode-splits", "mode-clustering", "mode-embedder", "mode-routing", "mode-ooc"], ModeExperimentCatalog.All.Select(e => e.Name));
        foreach (var e in ModeExperimentCatalog.All)
        {
            Assert.Equal(e.Variants.Count, e.Variants.Select(v => v.Name).Distinct().Count());
            Assert.All(e.Variants, v => Assert.Contains(v.Method, methods));
        }
    }

    [Fact]
    public void VariantsWithTheSamePipelineSettingsShareOneTrainedPipeline()
    {
        // MoDE-2 is trained once for every experiment that uses it; routing-only variants reuse it too.
        var mode2 = Out("mode-experts", "mode-2");
        Assert.Equal(mode2, Out("mode-splits", "mode-2"));
        Assert.Equal(mode2, Out("mode-splits", "mode-2-uniform"));
        Assert.Equal(mode2, Out("mode-clustering", "coarse-routing-2"));
        Assert.Equal(mode2, Out("mode-routing", "paper-lambda-5"));
        Assert.Equal(mode2, Out("mode-ooc", "ooc-0.02"));
        Assert.Equal(mode2, Out("mode-embedder", "tfidf"));
        Assert.Equal(mode2, Out("mode-experts", "dense"));
        Assert.Equal("/r/_mode/smoke/seed0/clusters-tfidf-n2-m16-ooc0.02", mode2);
        // Different training data or clustering: a pipeline of its own.
        Assert.Equal("/r/_mode/smoke/seed0/random-tfidf-n2-m16-ooc0.02", Out("mode-splits", "random-2"));
        Assert.Equal("/r/_mode/smoke/seed0/clusters-tfidf-n2-m2-ooc0.02", Out("mode-clustering", "onestep-2"));
        Assert.Equal("/r/_mode/smoke/seed0/clusters-tfidf-n2-m16-ooc0", Out("mode-ooc", "ooc-0"));
        Assert.Equal("/r/_mode/smoke/seed0/clusters-clip-text-seed-n2-m16-ooc0.02", Out("mode-embedder", "clip-text-seed"));
        // Every pipeline of a profile and seed shares the seed and dense runs.
        var random = ModeExperimentRunner.PipelineConfig(Base, ModeExperimentCatalog.Get("mode-splits").Variants.Single(v => v.Name == "random-2"), "/r/s")!;
        Assert.Equal("/r/s/seed", random.Paths.Seed);
        Assert.Equal("/r/s/dense", random.Paths.Dense);
        Assert.Equal("/r/s/random-tfidf-n2-m16-ooc0.02/experts/expert_01", random.Paths.Expert(1));
    }

    [Fact]
    public void AnOnnxVariantWithoutItsModelIsSkipped()
    {
        Assert.Null(Environment.GetEnvironmentVariable(ModeExperimentCatalog.OnnxEmbedderVariable));
        var onnx = ModeExperimentCatalog.Get("mode-embedder").Variants.Single(v => v.Name == "onnx");
        Assert.Null(ModeExperimentRunner.PipelineConfig(Base, onnx, "/r/s"));
    }

    [Fact]
    public void FullSplitExpertsSeeEveryRowInOrdersOfTheirOwn()
    {
        var config = Base with { Split = "full", Clustering = Base.Clustering with { Experts = 2 } };
        var e0 = ModePipeline.TrainingRows(config, 0, 50);
        var e1 = ModePipeline.TrainingRows(config, 1, 50);
        Assert.Equal(Enumerable.Range(0, 50), e0.Order());
        Assert.Equal(Enumerable.Range(0, 50), e1.Order());
        Assert.NotEqual(e0, e1);
        Assert.Equal(e0, ModePipeline.TrainingRows(config, 0, 50));
    }

    [Fact]
    public void CostColumnsAreReportedWithTwoDecimals()
    {
        var row = new VariantSummary("mode-2", "", 1, new Dictionary<string, (double, double)>
        {
            ["cost.relative_training_compute"] = (37.0 / 32, 0), ["clustering.domain_ari"] = (1, 0), ["zero_shot.top1"] = (55.04, 0),
        });
        var md = ExperimentReport.Markdown("t", [row]);
        Assert.Contains("| mode-2 | 1 | 55.0 | 1.16 | 1.00 |", md);
    }
}
