using ClipUp.Data;
using ClipUp.Experiments;
using ClipUp.Training;

namespace ClipUp.Tests.Experiments;

[Collection("TorchGlobal")]
public class LearningTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-learn-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ATinyClipLearnsTheSyntheticShapesFarAboveChanceIn250Steps()
    {
        SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(2000) { Seed = 1 }), dir, "train.tsv");
        SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(200) { Seed = 2 }), dir, "val.tsv", firstIndex: 100_000);
        var config = new RunConfig
        {
            Model = "tiny", ContextLength = 16, Device = "cpu", Out = Path.Combine(dir, "run"),
            Data = new DataConfig { Train = Path.Combine(dir, "train.tsv") },
            Train = new TrainConfig { Steps = 250, BatchSize = 64, LearningRate = 2e-3, WarmupSteps = 20, LogEvery = 50, Seed = 0 },
            Eval = new EvalConfig { Retrieval = Path.Combine(dir, "val.tsv") },
        };
        var result = TrainRun.Execute(config);
        var r = result.Eval.Retrieval!;
        // 200 validation images: chance R@1 is 0.5%. Many captions describe several images (540 distinct sentences
        // over 4 colours × 3 shapes × 4 relations), so perfect R@1 is impossible; 20× chance is a clear signal (measured: 23.5% at 250 steps).
        // No time limit here: a loaded machine is slower, not wrong (speed lives in bench/).
        Assert.True(r.TextToImageR1 > 10.0, $"text→image R@1 {r.TextToImageR1:F1}% (chance 0.5%)");
        Assert.True(r.TextToImageR10 > 25.0, $"text→image R@10 {r.TextToImageR10:F1}% (chance 5%)");
        Assert.Equal(250, result.Train.Steps);
        Assert.Equal(0, result.Train.SkippedSteps);
    }
}
