using ClipUp.Data;
using ClipUp.Experiments;
using ClipUp.Moe;
using ClipUp.Training;

namespace ClipUp.Tests.Experiments;

[Collection("TorchGlobal")]
public class UpcycleRunTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-upcycle-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ARunConfigWithInitAndMoeUpcyclesTheDenseCheckpointAndLogsRouting()
    {
        SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(128) { Seed = 3 }), dir);
        var baseConfig = new RunConfig
        {
            Model = "tiny", ContextLength = 16, Device = "cpu", Out = Path.Combine(dir, "dense"),
            Data = new DataConfig { Train = Path.Combine(dir, "train.tsv") },
            Train = new TrainConfig { Steps = 4, BatchSize = 32, WarmupSteps = 1, LogEvery = 2 },
        };
        var dense = TrainRun.Execute(baseConfig);
        var checkpoint = Checkpoint.FindLatest(Path.Combine(dir, "dense", "checkpoints"))!;

        var up = TrainRun.Execute(baseConfig with
        {
            Out = Path.Combine(dir, "clip-up"), Init = checkpoint, Moe = new MoeConfig { NumExperts = 4, TopK = 2 },
            Train = baseConfig.Train with { LearningRate = 1e-4 },
        });
        Assert.Equal(2, Routing.Layers(up.Model).Count);                    // every other layer: block 1 of each 2-block tower
        var last = MetricsLog.Read(Path.Combine(dir, "clip-up", "metrics.jsonl"))[^1];
        Assert.Contains(last, kv => kv.Key.EndsWith("/min_share", StringComparison.Ordinal));
        Assert.True((double)last["aux_loss"]! > 0, "the upcycled run adds the load-balance and z-loss");
        Assert.True(dense.Model.parameters().Sum(p => p.numel()) < up.Model.parameters().Sum(p => p.numel()));
    }
}
