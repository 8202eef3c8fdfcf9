using System.Text.Json.Nodes;
using ClipUp.Eval;
using ClipUp.Experiments;
using ClipUp.Io;
using ClipUp.Mode;
using ClipUp.Text;
using ClipUp.Training;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

/// <summary>The MoDE pipeline on the committed samples: Flickr8k (300 captions) + fashion (100 titles), tiny CLIP.</summary>
[Collection("TorchGlobal")]
public class ModePipelineTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-mode-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string Samples(string path) => Path.Combine(TestData.RepoRoot, "data-samples", path);

    private ModeConfig Tiny(int experts, int steps, double seedFraction, int checkpointEvery = 0) => new()
    {
        Tables = [new ModeTable { Path = Samples("flickr8k/train.tsv") }, new ModeTable { Path = Samples("fashion/train.tsv") }],
        Clustering = new ModeClusteringConfig { Embedder = "tfidf:128", FineClusters = 8, Experts = experts },
        SeedFraction = seedFraction, Model = "tiny", ContextLength = 16, Device = "cpu", Workers = 1,
        Train = new TrainConfig { Steps = steps, BatchSize = 4, WarmupSteps = 2, LogEvery = 1, CheckpointEvery = checkpointEvery },
        Eval = new ModeEvalConfig
        {
            ZeroShotLimit = 30,
            ZeroShot = [new ModeZeroShotTask { Name = "cifar10", Folder = Samples("cifar10/train") },
                        new ModeZeroShotTask { Name = "fashion-articleType", Table = Samples("fashion/val.tsv"), ClassColumn = "articleType", Templates = "product" }],
            Retrieval = [new ModeRetrievalTask { Name = "flickr8k-val", Table = Samples("flickr8k/val.tsv") }],
        },
        Out = Path.Combine(dir, "out"),
    };

    [Fact]
    public void ThePipelineRunsEndToEndWithTwoExpertsAndWritesEveryArtefact()
    {
        var config = Tiny(experts: 2, steps: 32, seedFraction: 27.0 / 32) with { DenseBaseline = true };
        var paths = config.Paths;
        ModePipeline.Cluster(config);
        var report = ModePipeline.Assign(config);
        var runs = ModePipeline.TrainAll(config);
        var eval = ModeEvaluation.Run(config);

        foreach (var file in new[] { paths.Mixture, paths.Clustering, paths.ClusteringInfo, paths.ClustersJson, paths.ClustersMarkdown, paths.EvalJson })
            Assert.True(File.Exists(file), $"{file} is missing");
        Assert.Single(Directory.GetFiles(paths.Embeddings, "*.emb"));
        // The shards partition the 400 rows; each expert trains on its shard plus ⌊0.02 · |others|⌋ rows.
        var shards = Enumerable.Range(0, 2).Select(e => ExpertShards.ReadManifest(paths.Shard(e))).ToArray();
        Assert.Equal(Enumerable.Range(0, 400), shards.SelectMany(s => s).Order());
        Assert.Equal(shards.Select(s => (long)s.Length), report.ExpertSummaries.Select(e => e.Rows));
        Assert.Equal(["seed", "expert_00", "expert_01", "dense"], runs.Select(r => r.Name));
        Assert.Equal([(0, 27), (27, 32), (27, 32), (27, 32)], runs.Select(r => (r.StartStep, r.Steps)));
        Assert.Equal(shards[0].Length + (int)(shards[1].Length * 0.02), runs[1].Rows);
        Assert.EndsWith("step-00000032.safetensors", ModeEvaluation.FinalCheckpoint(paths.Expert(1), 32));
        // Experts continue the dense schedule: their first step (28) runs at the learning rate of step index 27.
        var first = MetricsLog.Read(Path.Combine(paths.Expert(0), "metrics.jsonl"))[0];
        Assert.Equal((28, config.Train.Schedule.At(27)), ((int)first["step"]!, (double)first["lr"]!));
        // The report answers "do the clusters find the domains?" with per-expert domain counts that add up to 300 + 100.
        Assert.Equal(300, report.ExpertSummaries.Sum(e => e.Domains["flickr8k"]));
        Assert.Equal(100, report.ExpertSummaries.Sum(e => e.Domains["fashion"]));
        Assert.Contains("Domain ARI", File.ReadAllText(paths.ClustersMarkdown));

        var json = JsonNode.Parse(File.ReadAllText(paths.EvalJson))!;
        Assert.Equal((27 + 5 * 2) / 32.0, (double)json["cost"]!["relative_training_compute"]!, 12);
        Assert.Equal(["expert_0", "expert_1", "seed", "dense"], eval.Models);
        foreach (var z in eval.ZeroShot)
        {
            Assert.Equal(1f, z.Weights["paper"].Sum(), 5);
            Assert.Equal(1f, z.Weights["code"].Sum(), 5);
            Assert.Equal(["expert_0", "expert_1", "routed_paper", "routed_code", "uniform", "single_best_paper", "single_best_code", "oracle", "seed", "dense"],
                z.Scores.Keys);
        }
        Assert.Equal(30, eval.ZeroShot[0].Images);
        Assert.Equal(10, eval.ZeroShot[0].Classes);
        Assert.Equal(20, eval.Retrieval[0].Images);
        Assert.Equal(100, eval.Retrieval[0].Captions);
        Assert.Equal(2, json["retrieval"]![0]!["weights"]!["paper_text_to_image_mean"]!.AsArray().Count);
        Assert.True(eval.Cost.ZeroShotInference["cifar10"].Ratio > 2);    // two experts plus the weighted sum and routing
    }

    [Fact]
    public void AnExpertCancelledMidRunResumesFromItsCheckpointAndEndsBitwiseEqualToAnUninterruptedRun()
    {
        var config = Tiny(experts: 2, steps: 12, seedFraction: 0.5, checkpointEvery: 2) with { DenseBaseline = false };
        ModePipeline.Cluster(config);
        ModePipeline.Assign(config);
        ModePipeline.TrainSeed(config);
        ModePipeline.TrainExpert(config, 0);
        var straight = SafeTensors.Load(ModeEvaluation.FinalCheckpoint(config.Paths.Expert(0), 12));

        // Restart the expert from the seed and cancel it after step 9; its newest checkpoint is then step 8.
        using var cancel = new CancellationTokenSource();
        var progress = new Progress(p => { if (p.Progress.Step == 9) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ModePipeline.TrainExpert(config, 0, new ModeRunOptions { Resume = false, Progress = progress, Cancel = cancel.Token }));
        Assert.EndsWith("step-00000008.safetensors", Checkpoint.FindLatest(ModePaths.Checkpoints(config.Paths.Expert(0))));

        var log = new List<string>();
        var resumed = ModePipeline.TrainExpert(config, 0, new ModeRunOptions { Log = log.Add });
        Assert.Equal((8, 12), (resumed.StartStep, resumed.Steps));
        Assert.Contains(log, l => l.EndsWith("at step 8", StringComparison.Ordinal));
        var actual = SafeTensors.Load(ModeEvaluation.FinalCheckpoint(config.Paths.Expert(0), 12));
        foreach (var (name, t) in straight.Where(kv => !kv.Key.StartsWith("rng.", StringComparison.Ordinal)))
            Assert.True(Training.TrainerTests.Bitwise(t, actual[name]), $"{name} differs after cancel and resume");
    }

    [Fact]
    public void WithOneExpertTheRoutedEnsembleScoresExactlyTheSingleModel()
    {
        var config = Tiny(experts: 1, steps: 4, seedFraction: 0.5) with { DenseBaseline = false };
        // The seed's own text tower clusters the captions (Table 7's "language seed"), so train-all trains the seed first.
        config = config with { Clustering = config.Clustering with { Embedder = "clip-text:seed", FineClusters = 2 }, Eval = config.Eval with { Retrieval = [] } };
        ModePipeline.TrainAll(config);
        // A second train-all finds every run complete and leaves the checkpoints (and so the seed embedder) as they were.
        Assert.All(ModePipeline.TrainAll(config), r => Assert.Equal(r.StartStep, r.Steps));
        var eval = ModeEvaluation.Run(config);

        using var model = ModeEmbedders.LoadModel(ModeEvaluation.FinalCheckpoint(config.Paths.Expert(0), 4), CPU);
        foreach (var (task, result) in config.Eval.ZeroShot.Zip(eval.ZeroShot))
        {
            var data = ModeEvalData.ZeroShot(task, config.Eval.ZeroShotLimit);
            var single = Evaluation.Classify(model, data.Images, data.ClassNames, data.Labels, data.Templates, ClipTokenizer.Default, CPU);
            Assert.Equal([1f], result.Weights["paper"]);
            Assert.Equal([1f], result.Weights["code"]);
            foreach (var method in new[] { "expert_0", "routed_paper", "routed_code", "uniform", "single_best_paper", "oracle" })
                Assert.Equal(single, result.Scores[method]);
        }
    }

    [Fact]
    public void AnExpertRefusesToStartWithoutASeedOrWithShardsOfAnotherClustering()
    {
        var config = Tiny(experts: 2, steps: 8, seedFraction: 0.5);
        ModePipeline.Cluster(config);
        ModePipeline.Assign(config);
        var noSeed = Assert.Throws<FileNotFoundException>(() => ModePipeline.TrainExpert(config, 1));
        Assert.Contains("run `clipup mode train-seed` first", noSeed.Message);

        var three = config with { Clustering = config.Clustering with { Experts = 3 } };
        var stale = Assert.Throws<InvalidDataException>(() => ModePipeline.TrainExpert(three, 2));
        Assert.Contains("n = 2", stale.Message);
        Assert.Contains("n = 3", stale.Message);
        Assert.Contains("run `clipup mode cluster`", stale.Message);
    }

    [Fact]
    public void OnlineClusteringNeedsBatchesOfAtLeastTwiceTheFineClusters()
    {
        var config = Tiny(experts: 2, steps: 8, seedFraction: 0.5);
        var small = config with { Clustering = config.Clustering with { FitBatchRows = 15 } };
        var e = Assert.Throws<ArgumentException>(() => ModePipeline.Cluster(small));
        Assert.Contains("fit_batch_rows 15 is below 2 × 8", e.Message);
        // 400 rows in ⌈400/190⌉ = 3 online batches of 133, 133 and 134 rows (not 190, 190, 20).
        var online = ModePipeline.Cluster(config with { Clustering = config.Clustering with { FitBatchRows = 190 } });
        Assert.Equal((8, 2), (online.FineClusters, online.Experts));
    }

    private sealed class Progress(Action<(string Run, TrainProgress Progress)> report) : IProgress<(string Run, TrainProgress Progress)>
    {
        public void Report((string Run, TrainProgress Progress) value) => report(value);
    }
}
