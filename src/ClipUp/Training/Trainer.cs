using System.Diagnostics;
using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>Extra loss and statistics a model contributes to a step (MoE aux losses and routing stats).</summary>
public sealed record StepAux(Tensor? Loss, IReadOnlyDictionary<string, Tensor>? Stats = null);

/// <summary>What <see cref="Trainer.Progress"/> reports after each logged step.</summary>
public sealed record TrainProgress(int Step, int TotalSteps, StepMetrics Metrics);

/// <summary>The end of a run.</summary>
public sealed record TrainResult(int Steps, int SkippedSteps, double FinalLoss, string? LastCheckpoint, IReadOnlyList<string> SkippedSamples);

/// <summary>
/// The one training loop for dense, MoE, shared-backbone and MoDE-expert CLIPs (ARCHITECTURE.md, "one step as data"):
/// batch → device → model → contrastive loss + aux → backward → clip → AdamW on fp32 masters → log every N steps
/// (the only host sync besides the non-finite check) → atomic checkpoint every M steps.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly ClipModelBase model;
    private readonly TrainConfig config;
    private readonly Device device;
    private readonly Func<ClipModelBase, StepAux?>? aux;
    private readonly MasterWeights masters;
    private readonly AdamW optimizer;

    /// <param name="model">Already on <paramref name="device"/>, in fp32; the trainer casts it for bf16 runs.</param>
    /// <param name="aux">Called after each forward: MoE models return their routing aux loss and stats.</param>
    public Trainer(ClipModelBase model, TrainConfig config, Device device, Func<ClipModelBase, StepAux?>? aux = null)
    {
        config.Validate();
        this.model = model; this.config = config; this.device = device; this.aux = aux;
        if (config.Precision == Precision.Bf16) model.to(ScalarType.BFloat16);
        masters = new MasterWeights(model, config.Precision, ParameterGroups.Decays);
        optimizer = new AdamW(masters.Parameters, config.Beta1, config.Beta2, config.Eps, config.WeightDecay);
    }

    /// <summary>Reported after each logged step (the CLI draws a progress bar from it).</summary>
    public IProgress<TrainProgress>? Progress { get; init; }

    /// <summary>
    /// Validation score (higher is better, e.g. mean retrieval recall on a held-out set), run every
    /// <see cref="TrainConfig.EvalEvery"/> steps; the best-scoring weights are kept as <c>checkpoints/best.safetensors</c>.
    /// </summary>
    public Func<ClipModelBase, double>? Validate { get; init; }

    /// <summary>The best validation score so far and its step (NaN and 0 before the first validation).</summary>
    public (double Score, int Step) Best { get; private set; } = (double.NaN, 0);

    /// <summary>Where metrics.jsonl and checkpoints/ go; null trains without writing anything.</summary>
    public string? RunDirectory { get; init; }

    public AdamW Optimizer => optimizer;
    public IReadOnlyList<OptimizedParameter> Masters => masters.Parameters;

    /// <summary>
    /// Trains from <paramref name="startStep"/> (0, or a checkpoint's step after <see cref="Checkpoint.Restore"/>) to
    /// <see cref="TrainConfig.Steps"/>, or to <paramref name="stopAtStep"/> when given (the schedule stays that of the
    /// whole run). A checkpoint is written at the end when <see cref="RunDirectory"/> is set.
    /// </summary>
    public TrainResult Run(ITrainingStream data, int startStep = 0, int? stopAtStep = null, CancellationToken cancel = default)
    {
        model.train();
        var schedule = config.Schedule;
        log = RunDirectory is null ? null : new MetricsLog(Path.Combine(RunDirectory, "metrics.jsonl"), startStep);
        int skipped = 0, nonFiniteInARow = 0, step = startStep;
        double lastLoss = double.NaN;
        string? lastCheckpoint = null;
        var clock = Stopwatch.StartNew();
        int samplesSinceLog = 0;
        var dtype = config.Precision.ComputeDtype();
        int end = Math.Min(stopAtStep ?? config.Steps, config.Steps);
        for (; step < end; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            double lr = schedule.At(step);
            masters.ZeroGradients();
            Tensor lossSum = torch.zeros(1, device: device), auxSum = torch.zeros(1, device: device);
            IReadOnlyDictionary<string, Tensor>? stats = null;
            for (int micro = 0; micro < config.GradAccumulation; micro++)
            {
                var batch = data.Next();
                var images = batch.Images.to(dtype, device, non_blocking: true);
                var tokens = batch.Tokens.to(device, non_blocking: true);
                var output = Forward(images, tokens);
                var loss = ContrastiveLoss.Compute(output);
                var extra = aux?.Invoke(model);
                var total = extra?.Loss is { } a ? loss + a.to(ScalarType.Float32) : loss;
                OutOfMemoryGuard(() => (total / config.GradAccumulation).backward(), images.shape[0]);
                lossSum += loss.detach();
                if (extra?.Loss is { } al) auxSum += al.detach().to(ScalarType.Float32);
                stats = extra?.Stats ?? stats;
                samplesSinceLog += (int)images.shape[0];
            }
            masters.GradientsToMasters();
            var gradNorm = masters.ClipGradients(config.GradClipNorm);
            // One host sync per step: a NaN or Inf loss or gradient is caught at the step it happens, and the update
            // is skipped so the weights (and the last good checkpoint) stay intact.
            var lossMean = lossSum / config.GradAccumulation;
            bool finite = torch.isfinite(lossMean).all().item<bool>() && torch.isfinite(gradNorm).all().item<bool>();
            if (!finite)
            {
                skipped++;
                if (++nonFiniteInARow >= config.MaxNonFiniteSteps)
                    throw new NonFiniteLossException(step, nonFiniteInARow, NonFiniteDiagnosis.Describe(model), lastCheckpoint);
                continue;
            }
            nonFiniteInARow = 0;
            optimizer.Step(lr);
            masters.MastersToModel();

            bool logNow = (step + 1) % config.LogEvery == 0 || step + 1 == end;
            if (logNow)
            {
                lastLoss = lossMean.item<float>();
                double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                var metrics = new StepMetrics(step + 1, lastLoss, (auxSum / config.GradAccumulation).item<float>(), lr,
                    model.LogitScaleParameter.detach().to(ScalarType.Float32).exp().item<float>(), gradNorm.item<float>(),
                    samplesSinceLog / seconds, Environment.WorkingSet / 1e6, skipped,
                    stats?.ToDictionary(kv => kv.Key, kv => (double)kv.Value.to(ScalarType.Float32).item<float>()));
                log?.Append(metrics);
                Progress?.Report(new TrainProgress(step + 1, config.Steps, metrics));
                clock.Restart();
                samplesSinceLog = 0;
            }
            if (Validate != null && config.EvalEvery > 0 && (step + 1) % config.EvalEvery == 0)
                ValidateAndKeepBest(step + 1, data);
            if (RunDirectory != null && config.CheckpointEvery > 0 && (step + 1) % config.CheckpointEvery == 0 && step + 1 < end)
                lastCheckpoint = SaveCheckpoint(step + 1, data);
        }
        if (RunDirectory != null) lastCheckpoint = SaveCheckpoint(step, data);
        return new TrainResult(step, skipped, lastLoss, lastCheckpoint, data.SkippedSamples);
    }

    /// <summary>The forward pass, with out-of-memory turned into a message that names the batch size and the fixes.</summary>
    private ClipOutput Forward(Tensor images, Tensor tokens)
    {
        ClipOutput? output = null;
        OutOfMemoryGuard(() => output = model.call(images, tokens), images.shape[0]);
        return output!;
    }

    private void OutOfMemoryGuard(Action step, long batch)
    {
        try { step(); }
        catch (Exception e) when (e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new InsufficientMemoryException(
                $"out of memory on {device} at batch size {batch} ({config.Precision}): lower train.batch_size, " +
                "use train.grad_accumulation to keep the effective batch, or precision bf16; then resume from the last checkpoint.", e);
        }
    }

    private void ValidateAndKeepBest(int step, ITrainingStream data)
    {
        model.eval();
        double score = Validate!(model);
        model.train();
        log?.AppendValidation(step, score);
        var bestPath = RunDirectory is null ? null : Path.Combine(RunDirectory, "checkpoints", "best" + Checkpoint.Extension);
        // After a resume the best so far is the one on disk.
        if (double.IsNaN(Best.Score) && bestPath != null && File.Exists(bestPath)
            && Checkpoint.ReadMetadata(bestPath) is { } meta && meta["val_score"] is { } previous)
            Best = ((double)previous, (int)meta["step"]!);
        if (!double.IsNaN(Best.Score) && score <= Best.Score) return;
        Best = (score, step);
        if (RunDirectory is null) return;
        var state = new TrainingState(step, optimizer.Steps, data.Position, torch.get_rng_state());
        Checkpoint.SaveAs(bestPath!, model, this, state,
            new() { ["val_score"] = score });
    }

    private MetricsLog? log;

    private string SaveCheckpoint(int step, ITrainingStream data)
    {
        var state = new TrainingState(step, optimizer.Steps, data.Position, torch.get_rng_state());
        return Checkpoint.Save(Path.Combine(RunDirectory!, "checkpoints"), model, this, state, config.KeepLastCheckpoints);
    }

    public void Dispose()
    {
        optimizer.Dispose();
        masters.Dispose();
    }
}
