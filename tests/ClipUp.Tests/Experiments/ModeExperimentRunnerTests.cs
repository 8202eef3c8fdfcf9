using System.Text.Json.Nodes;
using ClipUp.Data;
using ClipUp.Experiments;
using ClipUp.Training;

namespace ClipUp.Tests.Experiments;

/// <summary>A MoDE experiment end to end on a tiny synthetic mixture: shared seed, pipelines, result files, resumption.</summary>
[Collection("TorchGlobal")]
public class ModeExperimentRunnerTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("clipup-modex-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static ModeConfig Tiny(int seed, string resultsRoot)
    {
        var data = SyntheticMixture.Write(Path.Combine(resultsRoot, "_data", "mix"), new SyntheticMixtureConfig(60, 16));
        string T(string d, string s) => SyntheticMixture.Table(data, d, s);
        return new ModeConfig
        {
            Tables = [new ModeTable { Path = T("shapes", "train"), Domain = "shapes" }, new ModeTable { Path = T("patterns", "train"), Domain = "patterns" }],
            Clustering = new ModeClusteringConfig { Embedder = "tfidf", FineClusters = 4 },
            Model = "tiny", ContextLength = 16, Device = "cpu", Workers = 1,
            Train = new TrainConfig { Steps = 16, BatchSize = 16, WarmupSteps = 2, LogEvery = 4, Seed = seed },
            Eval = new ModeEvalConfig
            {
                ZeroShot = [new ModeZeroShotTask { Name = "pattern", Table = T("patterns", "val"), ClassColumn = "pattern" }],
                Retrieval = [new ModeRetrievalTask { Name = "shapes-val", Table = T("shapes", "val") }],
            },
        };
    }

    [Fact]
    public void VariantsShareTheSeedAndTheirPipelinesWriteProvenanceAndASecondRunSkipsThem()
    {
        var spec = new ModeExperimentSpec("mode-test", "q", "p",
        [
            new("dense", "dense", Method: "dense"),
            new("mode-2", "MoDE-2"),
            new("uniform", "MoDE-2 uniform", Method: "uniform"),
            new("random-2", "Random-2", Method: "uniform") { Split = "random" },
        ]);
        var profile = new ModeProfile("tiny test", 1, Tiny);
        var log = new List<string>();

        var written = ModeExperimentRunner.Run(spec, "test", profile, root, new ModeRunOptions { Log = log.Add });

        Assert.Equal(4, written.Count);
        var shared = Path.Combine(root, "_mode", "test", "seed0");
        Assert.Equal(["clusters-tfidf-n2-m4-ooc0.02", "dense", "random-tfidf-n2-m4-ooc0.02", "seed"],
            Directory.GetDirectories(shared).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Single(log, l => l.Contains("seed is complete at step 14"));                    // trained by the first pipeline only
        var mode2 = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "mode-test", "test", "mode-2-seed0.json")))!;
        foreach (var key in new[] { "commit", "device_name", "seconds", "config", "zero_shot", "retrieval", "cost", "zero_shot_tasks", "routing_weights" })
            Assert.NotNull(mode2[key]);
        // seed round(27/32 · 16) = 14 steps, each expert 2 more: (14 + 2 · 2) / 16 = 1.125 of one dense run.
        Assert.Equal(1.125, (double)mode2["cost"]!["relative_training_compute"]!, 9);
        Assert.Equal(1.0, (double)mode2["clustering"]!["domain_ari"]!, 6);
        Assert.Equal((double)mode2["zero_shot_tasks"]!["pattern"]!["routed_code"]!["top1"]!, (double)mode2["zero_shot"]!["top1"]!, 9);
        var dense = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "mode-test", "test", "dense-seed0.json")))!;
        Assert.Equal(1.0, (double)dense["cost"]!["relative_training_compute"]!);
        Assert.Null(dense["clustering"]);

        var rows = ModeResults.Load(spec, spec.ResultsDir(root, "test"));
        Assert.Equal(["dense", "mode-2", "uniform", "random-2"], rows.Select(r => r.Variant));
        Assert.Equal(2.0, rows.Single(r => r.Variant == "uniform").InferenceRatio, 1);
        Assert.Equal(4, ExperimentReport.Summarise(ExperimentReport.Load(spec.ResultsDir(root, "test"))).Count);

        Assert.Empty(ModeExperimentRunner.Run(spec, "test", profile, root));
    }
}
