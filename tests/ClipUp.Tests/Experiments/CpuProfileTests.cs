using System.Text.Json.Nodes;
using ClipUp.Experiments;
using ClipUp.Stats;

namespace ClipUp.Tests.Experiments;

public sealed class CpuProfileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-cpu-profile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>The cpu profile at a few steps on the committed fashion and CIFAR-10 samples (the real profile reads ../shared/data).</summary>
    private static ProfileSpec Reduced()
    {
        var samples = Path.Combine(TestData.RepoRoot, "data-samples");
        return ExperimentCatalog.Profile("cpu") with
        {
            DenseSteps = 4, ContinueSteps = 2, BatchSize = 16, Seeds = 2,
            Data = Path.Combine(samples, "fashion", "train.tsv"),
            RetrievalEval = Path.Combine(samples, "fashion", "val.tsv"),
            ZeroShotEval = Path.Combine(samples, "cifar10", "train"),
        };
    }

    [Fact]
    public void TheCpuProfileRunsEveryExperimentOnRealDataWithThreeSeedsAndIntervals()
    {
        var cpu = ExperimentCatalog.Profile("cpu");
        Assert.Equal(3, cpu.Seeds);
        Assert.Equal("cpu", cpu.Device);
        Assert.StartsWith("data:fashion/", cpu.Data);
        Assert.Equal(["articleType", "baseColour"], cpu.ZeroShotAttributes);
        // Headline keeps the arms of its claims; the others run whole.
        Assert.Equal(["dense-continued", "clip-up", "moe-scratch"], cpu.VariantsOf(ExperimentCatalog.Get("headline")).Select(v => v.Name));
        foreach (var claim in ClaimCatalog.All.Where(c => !ModeExperimentCatalog.Contains(c.Experiment)))
        {
            var names = cpu.VariantsOf(ExperimentCatalog.Get(claim.Experiment)).Select(v => v.Name).ToList();
            Assert.Contains(claim.Variant, names);
            Assert.Contains(claim.Baseline, names);
        }
    }

    [Fact]
    public void AReducedCpuRunOfTheHeadlineWritesPairedItemsAndDecidesItsClaimsFromThem()
    {
        var results = Path.Combine(dir, "results");
        var runs = Path.Combine(dir, "runs");
        var spec = ExperimentCatalog.Get("headline");
        var plan = ExperimentRunner.Plan(spec, "cpu", Reduced(), results);
        // Per seed: the dense baseline (4 steps), two continuations (2 each), the MoE from scratch (4 + 2).
        Assert.Equal(2 * (4 + 2 + 2 + 6), plan.Sum(p => p.Steps));

        var files = ExperimentRunner.Run(spec, "cpu", Reduced(), results, command: "clipup experiment run headline --profile cpu", runsRoot: runs);

        Assert.Equal(8, files.Count);   // 2 seeds × (dense + 3 arms)
        var clipUp = JsonNode.Parse(File.ReadAllText(Path.Combine(results, "headline", "cpu", "clip-up-seed1.json")))!.AsObject();
        Assert.Equal("clipup experiment run headline --profile cpu", (string?)clipUp["command"]);
        Assert.Contains("cores", (string?)clipUp["machine"]);
        Assert.True((double)clipUp["samples_per_second"]! > 0);
        Assert.NotNull(clipUp["zero_shot_attributes"]!["articleType"]!["top1"]);
        var items = ClaimReport.Ranks(clipUp)!;
        Assert.Equal(20, items["retrieval.text_to_image"].Length);                  // the 20 val captions
        Assert.Equal(20, items["zero_shot_attributes.baseColour"].Length);
        Assert.Equal(100, items["zero_shot"].Length);                               // 10 CIFAR-10 classes × 10 samples
        // The checkpoint sits at the documented path, ready for `clipup eval --weights`.
        var checkpoint = (string)clipUp["checkpoint"]!;
        Assert.StartsWith(Path.Combine(runs, "headline", "cpu", "seed1", "clip-up", "checkpoints"), checkpoint);
        Assert.True(File.Exists(checkpoint));

        var claims = ClaimReport.Evaluate(Path.Combine(results, "headline", "cpu"), ClaimCatalog.For("headline"));
        var primary = claims.First(c => c.Claim.Id == "a1" && c.Metric == "retrieval.mean_recall");
        Assert.Equal(2, primary.Interval!.Seeds);
        Assert.True(primary.Interval.Lower <= primary.Interval.Mean && primary.Interval.Mean <= primary.Interval.Upper);
        Assert.Equal(ClaimStatusRule.Decide(primary.Interval, +1), primary.Status);
        Assert.Contains("| a1:", ClaimReport.Markdown("cpu", claims));
        // A rerun identical to the committed results lies inside every committed interval.
        var compared = ClaimReport.CompareMarkdown(claims, claims);
        Assert.Contains("| yes |", compared);
        Assert.DoesNotContain("**no**", compared);

        // Resumable: a second call finds every result and trains nothing.
        Assert.Empty(ExperimentRunner.Plan(spec, "cpu", Reduced(), results));
        Assert.Empty(ExperimentRunner.Run(spec, "cpu", Reduced(), results, runsRoot: runs));
    }
}
