using ClipUp.Data;
using ClipUp.Experiments;
using ClipUp.Training;

namespace ClipUp.Tests.Experiments;

[Collection("TorchGlobal")]
public class BrokenDataTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-broken-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ADatasetWithBrokenFilesTrainsAndReportsEverySkippedFile()
    {
        SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(400) { Seed = 1 }), dir, "train.tsv");
        var images = Path.Combine(dir, "images");
        File.WriteAllBytes(Path.Combine(images, "00003.png"), []);                                   // zero bytes
        File.WriteAllText(Path.Combine(images, "00010.png"), "this is not an image");                 // not an image
        var png = File.ReadAllBytes(Path.Combine(images, "00020.png"));
        File.WriteAllBytes(Path.Combine(images, "00020.png"), png[..(png.Length / 3)]);               // truncated
        var config = new RunConfig
        {
            Model = "tiny", ContextLength = 16, Device = "cpu", Out = Path.Combine(dir, "run"),
            Data = new DataConfig { Train = Path.Combine(dir, "train.tsv"), OneCaptionPerImage = false },
            Train = new TrainConfig { Steps = 14, BatchSize = 32, WarmupSteps = 2, LogEvery = 7 },  // 14 × 32 > 400: one full epoch
        };
        var result = TrainRun.Execute(config);
        Assert.Equal(14, result.Train.Steps);
        Assert.Equal(3, result.Train.SkippedSamples.Count);
        Assert.Contains(result.Train.SkippedSamples, s => s.Contains("00003.png"));
        Assert.Contains(result.Train.SkippedSamples, s => s.Contains("00010.png"));
        Assert.Contains(result.Train.SkippedSamples, s => s.Contains("00020.png"));
        var json = File.ReadAllText(Path.Combine(dir, "run", "results.json"));
        Assert.Contains("\"skipped_samples\": 3", json);
    }
}
