
namespace ClipUp.Training;

/// <summary>
/// How to train (not what: the architecture is <see cref="Model.ClipConfig"/>). Defaults follow open_clip's CLIP
/// recipe scaled down: AdamW β=(0.9, 0.98), ε=1e-6, weight decay 0.2, gradient clipping at 1.0.
/// </summary>
public sealed record TrainConfig
{
    public int Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 5e-4;
    public int WarmupSteps { get; init; } = 100;
    public double MinLrRatio { get; init; } = 0.0;
    public double WeightDecay { get; init; } = 0.2;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.98;
    public double Eps { get; init; } = 1e-6;
    /// <summary>Global gradient-norm clip (0 = off).</summary>
    public double GradClipNorm { get; init; } = 1.0;
    /// <summary>Micro-batches per optimizer step. Each micro-batch is its own contrastive problem (no feature gathering).</summary>
    public int GradAccumulation { get; init; } = 1;
    public Precision Precision { get; init; } = Precision.Fp32;
    /// <summary>Metrics are read from the device (the only host sync) every this many steps.</summary>
    public int LogEvery { get; init; } = 10;
    /// <summary>Checkpoint every this many steps (0 = only at the end).</summary>
    public int CheckpointEvery { get; init; } = 0;
    public int KeepLastCheckpoints { get; init; } = 2;
    /// <summary>Run the validation (<see cref="Trainer.Validate"/>) every this many steps and keep the best checkpoint (0 = off).</summary>
    public int EvalEvery { get; init; }
    public long Seed { get; init; } = 0;
    /// <summary>Consecutive non-finite steps (skipped) before the run stops with a diagnostic.</summary>
    public int MaxNonFiniteSteps { get; init; } = 5;

    [System.Text.Json.Serialization.JsonIgnore]
    public LrSchedule Schedule => new(LearningRate, WarmupSteps, Steps, MinLrRatio);

    public void Validate()
    {
        static void Require(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Require(Steps >= 1, $"train.steps {Steps} must be >= 1");
        Require(BatchSize >= 2, $"train.batch_size {BatchSize} must be >= 2: the contrastive loss needs negatives in the batch");
        Require(double.IsFinite(LearningRate) && LearningRate > 0,
            $"train.learning_rate {LearningRate} must be a positive finite number (CLIP from scratch: ~5e-4; upcycling: a fraction of that)");
        Require(WarmupSteps >= 0, $"train.warmup_steps {WarmupSteps} must be >= 0");
        Require(MinLrRatio is >= 0 and <= 1, $"train.min_lr_ratio {MinLrRatio} must be in [0, 1]");
        Require(WeightDecay >= 0, $"train.weight_decay {WeightDecay} must be >= 0");
        Require(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, $"train.beta1, train.beta2 ({Beta1}, {Beta2}) must be in [0, 1)");
        Require(Eps > 0, $"train.eps {Eps} must be > 0");
        Require(GradClipNorm >= 0, $"train.grad_clip_norm {GradClipNorm} must be >= 0 (0 turns clipping off)");
        Require(GradAccumulation >= 1, $"train.grad_accumulation {GradAccumulation} must be >= 1");
        Require(LogEvery >= 1, $"train.log_every {LogEvery} must be >= 1");
        Require(CheckpointEvery >= 0, $"train.checkpoint_every {CheckpointEvery} must be >= 0");
        Require(EvalEvery >= 0, $"train.eval_every {EvalEvery} must be >= 0 (0 turns validation off)");
        Require(KeepLastCheckpoints >= 1, $"train.keep_last_checkpoints {KeepLastCheckpoints} must be >= 1");
        Require(MaxNonFiniteSteps >= 1, $"train.max_non_finite_steps {MaxNonFiniteSteps} must be >= 1");
    }
}
