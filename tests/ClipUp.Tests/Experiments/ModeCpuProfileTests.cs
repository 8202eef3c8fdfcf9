using Microsoft.Data.Analysis;
using System.Text.Json.Nodes;
using ClipUp.Experiments;
using ClipUp.Stats;

namespace ClipUp.Tests.Experiments;

/// <summary>
/// The MoDE cpu profile (issue 14 item 4e) on a data folder laid out like ../shared/data but built from the committed
/// data-samples: Flickr8k (60 images × 5 captions), fashion train + extra (the 100 sample products split 60 + 40) and
/// CIFAR-10 (10 per class).
/// </summary>
[Collection("TorchGlobal")]
public sealed class ModeCpuProfileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-mode-cpu-").FullName;
    private readonly string data;

    public ModeCpuProfileTests()
    {
        var samples = Path.Combine(TestData.RepoRoot, "data-samples");
        data = Path.Combine(dir, "data");
        Directory.CreateDirectory(Path.Combine(data, "fashion"));
        Directory.CreateSymbolicLink(Path.Combine(data, "flickr8k"), Path.Combine(samples, "flickr8k"));
        Directory.CreateSymbolicLink(Path.Combine(data, "cifar10"), Path.Combine(samples, "cifar10"));
        Directory.CreateSymbolicLink(Path.Combine(data, "fashion", "images"), Path.Combine(samples, "fashion", "images"));
        var fashion = File.ReadAllLines(Path.Combine(samples, "fashion", "train.tsv"));
        File.WriteAllLines(Path.Combine(data, "fashion", "train.tsv"), fashion.Take(1 + 60));
        File.WriteAllLines(Path.Combine(data, "fashion", "extra.tsv"), fashion.Take(1).Concat(fashion.Skip(1 + 60)));
        File.Copy(Path.Combine(samples, "fashion", "val.tsv"), Path.Combine(data, "fashion", "val.tsv"));
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private ModeProfile Cpu() => new("cpu on data-samples", 3, (seed, root) => ModeExperimentCatalog.Cpu(seed, root, data));

    /// <summary>The profile at 16 steps of 16 (seed 14, experts and dense 2 each), two seeds.</summary>
    private ModeProfile Reduced() => new("cpu on data-samples, 16 steps", 2, (seed, root) =>
    {
        var config = ModeExperimentCatalog.Cpu(seed, root, data);
        return config with { Train = config.Train with { Steps = 16, BatchSize = 16, WarmupSteps = 2, LogEvery = 4 } };
    });

    [Fact]
    public void TheCpuProfileTrainsTheClipUpCpuModelOnTheFlickrAndFashionMixture()
    {
        var config = ModeExperimentCatalog.Cpu(0, Path.Combine(dir, "results"), data).Validate();
        var clipUp = ExperimentCatalog.Profile("cpu");
        // cpu-long-experts differs only in the split of the same budget: 800 seed steps, 800 for each expert.
        var longer = ModeExperimentCatalog.CpuLongExperts(0, Path.Combine(dir, "results"), data);
        Assert.Equal((1350, 250, 800, 800), (config.SeedSteps, config.ExpertSteps, longer.SeedSteps, longer.ExpertSteps));
        Assert.Equal(config.Train, longer.Train);
        Assert.Equal(config.Tables.Select(t => t.Path), longer.Tables.Select(t => t.Path));

        Assert.Equal(3, ModeExperimentCatalog.Profile("cpu").Seeds);
        Assert.Equal(["flickr8k", "fashion"], config.Tables.Select(t => t.DomainName));
        Assert.Equal(Path.Combine(data, "flickr8k", "train.tsv"), config.Tables[0].Path);
        Assert.Equal(1 + 60 + 40, File.ReadAllLines(config.Tables[1].Path).Length);          // header + fashion train + extra
        Assert.Equal((clipUp.Preset, clipUp.ContextLength, clipUp.BatchSize, clipUp.LearningRate), (config.Model, config.ContextLength, config.Train.BatchSize, config.Train.LearningRate));
        Assert.Equal(("cpu", ClipUp.Training.Precision.Fp32), (config.Device, config.Train.Precision));
        // A 1,600-step budget: the seed round(27/32 · 1600) = 1350 steps, each expert and the dense model 250 more.
        Assert.Equal((1350, 250), (config.SeedSteps, config.ExpertSteps));
        Assert.Equal(["cifar10", "fashion-articleType", "fashion-baseColour"], config.Eval.ZeroShot.Select(z => z.Name));
        Assert.Equal(Path.Combine(data, "cifar10", "train"), config.Eval.ZeroShot[0].Folder);
        Assert.Equal(["flickr8k-val", "fashion-val"], config.Eval.Retrieval.Select(r => r.Name));

        // One seed of mode-experts for claims e1 and e2: 1350 + 250 (dense) + 2 · 250 + 4 · 250 = 3,100 steps.
        var plan = ModeExperimentRunner.Plan(ModeExperimentCatalog.Get("mode-experts"), "cpu", Cpu(), Path.Combine(dir, "results"), seeds: 1,
            only: ["seed", "dense", "mode-2", "mode-4"]);
        Assert.Equal(3100, plan.Sum(p => p.Steps));
        Assert.Equal(["s0 seed", "s0 clusters-tfidf-n2-mdefault-ooc0.02/expert_00"], plan.Take(2).Select(p => p.Run));
    }

    [Fact]
    public void EveryModeClaimComparesArmsOfItsExperimentOnMetricsTheCpuProfileMeasures()
    {
        var config = ModeExperimentCatalog.Cpu(0, Path.Combine(dir, "results"), data);
        var claims = ClaimCatalog.All.Where(c => ModeExperimentCatalog.Contains(c.Experiment)).ToList();

        Assert.Equal(["e1", "e2", "e3", "e4"], claims.Select(c => c.Id));
        foreach (var claim in claims)
        {
            var arms = ModeExperimentCatalog.Get(claim.Experiment).Variants.Select(v => v.Name).ToList();
            Assert.Contains(claim.Variant, arms);
            Assert.Contains(claim.Baseline, arms);
            foreach (var metric in ClaimCatalog.MetricsOf(claim).Where(m => m.StartsWith("zero_shot_tasks.", StringComparison.Ordinal)))
                Assert.Contains(metric["zero_shot_tasks.".Length..^".top1".Length], config.Eval.ZeroShot.Select(z => z.Name));
        }
        // e3's routed arm is the routed ensemble every MoDE-n variant reports.
        Assert.Equal("routed_code", ModeExperimentCatalog.Get("mode-routing").Variants.Single(v => v.Name == "code").Method);
        Assert.Equal("routed_code", ModeExperimentCatalog.Get("mode-experts").Variants.Single(v => v.Name == "mode-2").Method);
    }

    [Fact]
    public void AReducedCpuRunWritesEachMethodsItemsAndDecidesTheModeClaimsFromThem()
    {
        var results = Path.Combine(dir, "results");
        var runs = Path.Combine(dir, "runs");
        var experts = ModeExperimentCatalog.Get("mode-experts");
        var routing = ModeExperimentCatalog.Get("mode-routing");
        // Per seed: the seed (14 steps), MoDE-2's two experts (2 each), the dense continuation (2).
        Assert.Equal(2 * (14 + 2 + 2 + 2), ModeExperimentRunner.Plan(experts, "cpu", Reduced(), results, only: ["dense", "mode-2"], runsRoot: runs).Sum(p => p.Steps));

        var log = new List<string>();
        var written = ModeExperimentRunner.Run(experts, "cpu", Reduced(), results, new ModeRunOptions { Log = log.Add }, only: ["dense", "mode-2"],
            command: "clipup experiment run mode-experts --profile cpu", runsRoot: runs);
        // The clustering does not depend on the training seed: seed 1 reuses seed 0's.
        Assert.Single(log, l => l.Contains("clustering of") && l.Contains("seed0") && l.Contains("reused"));
        // mode-routing's arms reuse MoDE-2's trained pipeline: evaluation only.
        Assert.Empty(ModeExperimentRunner.Plan(routing, "cpu", Reduced(), results, only: ["code", "uniform"], runsRoot: runs));
        written = [.. written, .. ModeExperimentRunner.Run(routing, "cpu", Reduced(), results, only: ["code", "uniform"], runsRoot: runs)];

        Assert.Equal(8, written.Count);                                                      // 2 seeds × 2 arms × 2 experiments
        Assert.True(Directory.Exists(Path.Combine(runs, "_mode", "cpu", "seed1", "seed", "checkpoints")));
        var mode2 = JsonNode.Parse(File.ReadAllText(Path.Combine(results, "mode-experts", "cpu", "mode-2-seed1.json")))!.AsObject();
        Assert.Equal("clipup experiment run mode-experts --profile cpu", (string?)mode2["command"]);
        Assert.Contains("cores", (string?)mode2["machine"]);
        var items = ClaimReport.Ranks(mode2)!;
        Assert.Equal(100, items["retrieval_tasks.flickr8k-val.text_to_image"].Length);    // 20 val images × 5 captions
        Assert.Equal(20, items["retrieval_tasks.flickr8k-val.image_to_text"].Length);
        Assert.Equal(20, items["retrieval_tasks.fashion-val.text_to_image"].Length);
        Assert.Equal(100, items["zero_shot_tasks.cifar10"].Length);                          // 10 classes × 10 samples
        Assert.Equal(20, items["zero_shot_tasks.fashion-baseColour"].Length);
        // The items are the method's own: their top-1 is the result file's top-1 (ties aside, which these logits lack).
        var top1 = 100.0 * items["zero_shot_tasks.cifar10"].Count(r => r == 0) / 100;
        Assert.Equal((double)mode2["zero_shot_tasks"]!["cifar10"]!["routed_code"]!["top1"]!, top1, 6);

        var e1 = ClaimReport.Evaluate(experts.ResultsDir(results, "cpu"), ClaimCatalog.For("mode-experts"));
        Assert.Equal(ClaimCatalog.ModeMetrics.Count * 2, e1.Count);                          // e1 and e2 on every metric
        Assert.All(e1.Where(c => c.Claim.Id == "e2"), c => Assert.Null(c.Interval));         // mode-4 was not run
        foreach (var c in e1.Where(c => c.Claim.Id == "e1"))
        {
            Assert.Equal(2, c.Interval!.Seeds);
            Assert.True(c.Interval.Lower <= c.Interval.Mean && c.Interval.Mean <= c.Interval.Upper);
            Assert.Equal(ClaimStatusRule.Decide(c.Interval, +1), c.Status);
        }
        var e3 = ClaimReport.Evaluate(routing.ResultsDir(results, "cpu"), ClaimCatalog.For("mode-routing"));
        Assert.All(e3, c => Assert.NotNull(c.Status));
        Assert.Contains("| e3:", ClaimReport.Markdown("cpu", e3));

        // What notebooks 12–16 show beside their own smoke runs: the committed profile's table, its claims with intervals, a chart.
        var section = ModeResults.CommittedSection(routing, results);
        Assert.StartsWith("mode-routing, cpu profile", Assert.IsType<string>(section[0]));
        Assert.Equal(["uniform", "code"], Assert.IsType<DataFrame>(section[1])["variant"].Cast<string>());   // the spec's order
        var claimTable = Assert.IsType<DataFrame>(section[2]);
        Assert.Equal(ClaimCatalog.ModeMetrics.Count, claimTable.Rows.Count);                   // e3 on every metric
        Assert.Equal(e3.Select(c => c.Status!.Value.Word()), claimTable["status"].Cast<string>());
        Assert.IsAssignableFrom<Plotly.NET.GenericChart>(section[3]);
        Assert.Contains("no results committed", Assert.IsType<string>(Assert.Single(ModeResults.CommittedSection(ModeExperimentCatalog.Get("mode-ooc"), results))));

        Assert.Contains("cpu profile (2 seeds), mean retrieval recall: e3 code − uniform", ModeResults.CommittedVerdict(routing, results));
        var weights = ModeResults.RoutingWeights(routing.ResultsDir(results, "cpu"), "code");
        Assert.Contains(weights, w => w.Task == "cifar10" && w.Formula == "paper");
        Assert.All(weights, w => { Assert.Equal(2, w.Seeds); Assert.Equal(2, w.Mean.Count); Assert.Equal(1.0, w.Mean.Sum(), 4); });

        // mode-2 and the routing arms share one clustering; the notebooks list it once.
        var clustering = Assert.Single(ModeResults.Clusterings(results, "cpu"));
        Assert.Equal((2, "mode-experts/mode-2"), (clustering.Experts, clustering.FirstSeenIn));
        Assert.Equal(2, clustering.Sizes.Count);
        Assert.InRange(clustering.ExpertPurity, 0.5, 1.0);

        // Resumable: a second call finds every result and trains nothing.
        Assert.Empty(ModeExperimentRunner.Plan(experts, "cpu", Reduced(), results, only: ["dense", "mode-2"], runsRoot: runs));
        Assert.Empty(ModeExperimentRunner.Run(experts, "cpu", Reduced(), results, only: ["dense", "mode-2"], runsRoot: runs));
    }
}
