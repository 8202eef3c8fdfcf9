using ClipUp.Io;
using ClipUp.Model;
using ClipUp.Tests.Training;
using ClipUp.Training;
using TorchSharp;

namespace ClipUp.Tests.Io;

/// <summary>A training checkpoint (weights plus optimizer state) loads as a plain model, for export or evaluation.</summary>
[Collection("TorchGlobal")]
public class TrainingCheckpointImportTests
{
    [Fact]
    public void ATrainingCheckpointLoadsAsTheTrainedModelWithoutItsTrainingState()
    {
        using var dir = new TempDir();
        torch.manual_seed(1);
        using var model = new ClipModel(ClipConfig.Tiny with { Activation = Activation.QuickGelu }, seed: 2);
        var config = new TrainConfig { Steps = 2, BatchSize = 8, WarmupSteps = 1, LogEvery = 1, CheckpointEvery = 2, KeepLastCheckpoints = 1 };
        using (var trainer = new Trainer(model, config, torch.CPU) { RunDirectory = dir.Path })
            trainer.Run(TrainerTests.RandomStream(n: 16));
        string checkpoint = Checkpoint.FindLatest(Path.Combine(dir.Path, "checkpoints"))!;

        var imported = ModelImport.Import(checkpoint);
        using var loaded = imported.Model;

        Assert.Equal(CheckpointScheme.TrainingCheckpoint, imported.Location.Scheme);
        Assert.Equal(model.Config, loaded.Config);
        Assert.Matches(@"^ignored \d+ training-state tensors \(master\., adamw\., rng\.\*\)$", Assert.Single(imported.Notes));
        ModelImportTests.AssertSameEmbeddings(model, loaded, model.Config);
    }

    [Fact]
    public void ATrainingCheckpointWithoutModelConfigSaysSo()
    {
        using var dir = new TempDir();
        var state = TinyStateDicts.Random(TinyStateDicts.Dense, 1);
        SafeTensors.Save(dir.File("step-00000001.safetensors"), state, new Dictionary<string, string> { ["clipup"] = "{\"step\": 1}", ["format"] = "pt" });

        var e = Assert.Throws<InvalidDataException>(() => ModelImport.LoadDense(dir.File("step-00000001.safetensors")));

        Assert.EndsWith("step-00000001.safetensors metadata 'clipup' has no model_config: the checkpoint predates ClipUp's run metadata", e.Message);
    }
}
