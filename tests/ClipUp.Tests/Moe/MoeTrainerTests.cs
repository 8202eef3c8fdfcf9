using ClipUp.Model;
using ClipUp.Moe;
using ClipUp.Tests.Training;
using ClipUp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Moe;

/// <summary>MoE models in the project's one training loop, with <see cref="Routing.Take"/> as the trainer's aux hook.</summary>
[Collection("TorchGlobal")]
public class MoeTrainerTests
{
    private static StepAux Aux(ClipModelBase model)
    {
        var summary = Routing.Take(model);
        return new StepAux(summary.AuxLoss, summary.Stats());
    }

    private static TrainConfig Config(int steps, Precision precision = Precision.Fp32) => new()
    {
        Steps = steps, BatchSize = 8, LearningRate = 1e-3, WarmupSteps = 2, LogEvery = 1, Precision = precision,
    };

    [Fact]
    public void MoeTrainingStepsDoNotLeakNativeTensors()
    {
        // Reports hold tensors created inside each step's dispose scope; the next step replaces them, so nothing piles up.
        using var dense = new ClipModel(ClipConfig.Tiny, seed: 5);
        using var model = Upcycler.Upcycle(dense, new MoeConfig { NumExperts = 4, TopK = 2 }, seed: 6);
        using var t = new Trainer(model, Config(6), torch.CPU, Aux);
        var stream = TrainerTests.RandomStream();
        t.Run(stream, stopAtStep: 2);
        long after2 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var result = t.Run(stream, startStep: 2, stopAtStep: 6);
        long after6 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.True(after6 <= after2, $"live tensors grew from {after2} to {after6} over 4 steps");
        Assert.True(double.IsFinite(result.FinalLoss));
    }

    [Fact]
    public void ABf16MoeModelTrainsInTheTrainer()
    {
        using var model = MoeModels.Create(ClipConfig.Tiny, new MoeConfig { NumExperts = 4, TopK = 2 }, seed: 7);
        var losses = new List<double>();
        using var t = new Trainer(model, Config(6, Precision.Bf16), torch.CPU, Aux)
        {
            Progress = new SyncProgress<TrainProgress>(p => losses.Add(p.Metrics.Loss)),
        };
        var result = t.Run(TrainerTests.RandomStream(n: 8));
        Assert.Equal(0, result.SkippedSteps);
        Assert.Equal(ScalarType.BFloat16, Routing.Layers(model)[0].Layer.experts.c_fc_weight.dtype);
        Assert.True(losses[^1] < losses[0], $"loss went {losses[0]:F3} → {losses[^1]:F3}");
    }
}
