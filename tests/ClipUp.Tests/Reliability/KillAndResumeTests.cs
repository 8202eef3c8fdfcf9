using System.Diagnostics;
using ClipUp.Data;
using ClipUp.Io;
using ClipUp.Training;

namespace ClipUp.Tests.Reliability;

/// <summary>
/// A training process killed with SIGKILL at random moments (possibly in the middle of a checkpoint write) and resumed
/// each time ends with exactly the parameters of an uninterrupted run (bitwise on CPU).
/// </summary>
[Trait("Category", "Slow")]
[Collection("TorchGlobal")]
public class KillAndResumeTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-kill-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Config(string name, int steps)
    {
        var path = Path.Combine(dir, name + ".json");
        File.WriteAllText(path, $$"""
            { "model": "tiny", "context_length": 16, "device": "cpu", "out": "{{Path.Combine(dir, name)}}",
              "data": { "train": "{{Path.Combine(dir, "data", "train.tsv")}}", "workers": 2 },
              "train": { "steps": {{steps}}, "batch_size": 16, "warmup_steps": 3, "log_every": 2, "checkpoint_every": 5,
                         "keep_last_checkpoints": 2 } }
            """);
        return path;
    }

    [Fact]
    public void ARunKilledAtRandomPointsAndResumedEqualsAnUninterruptedRun()
    {
        SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(160) { Seed = 4 }), Path.Combine(dir, "data"));
        const int steps = 120;
        var (code, output) = CliProcess.Run("train", "--config", Config("straight", steps), "--resume", "none");
        Assert.True(code == 0, output);

        var config = Config("killed", steps);
        var rng = new Random(12345);
        int kills = 0;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(4))
        {
            using var p = CliProcess.Start("train", "--config", config, "--resume", "auto");
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            // Kill after a random delay: during start-up, training, or a checkpoint write.
            if (kills < 4 && !p.WaitForExit(TimeSpan.FromMilliseconds(rng.Next(1500, 5000))))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                kills++;
                continue;
            }
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
            break;
        }
        Assert.True(kills >= 2, $"only {kills} kills happened: the run finished too fast to test anything");

        var a = Checkpoint.List(Path.Combine(dir, "straight", "checkpoints"))[^1];
        var b = Checkpoint.List(Path.Combine(dir, "killed", "checkpoints"))[^1];
        Assert.EndsWith($"step-{steps:D8}.safetensors", b);
        var expected = SafeTensors.Load(a);
        var actual = SafeTensors.Load(b);
        foreach (var (name, t) in expected.Where(kv => !kv.Key.StartsWith("rng.", StringComparison.Ordinal)))
            Assert.True(Training.TrainerTests.Bitwise(t, actual[name]), $"{name} differs after {kills} kills");
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "killed", "checkpoints"), "*.tmp"));
    }
}
