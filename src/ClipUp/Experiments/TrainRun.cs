using System.Diagnostics;
using System.Text.Json.Nodes;
using ClipUp.Data;
using ClipUp.Io;
using ClipUp.Model;
using ClipUp.Runtime;
using ClipUp.Text;
using ClipUp.Training;
using TorchSharp;

namespace ClipUp.Experiments;

/// <summary>Optional parts of a run that are not data: reporting, resumption, and a model other than a fresh dense one.</summary>
public sealed record TrainRunOptions
{
    public IProgress<TrainProgress>? Progress { get; init; }
    /// <summary>Human-readable notes (resumed from…, skipped a damaged checkpoint…).</summary>
    public Action<string>? Log { get; init; }
    /// <summary>Continue from the newest valid checkpoint in <c>out/checkpoints</c> when there is one.</summary>
    public bool Resume { get; init; }
    /// <summary>The model to train (an upcycled MoE, a MoDE seed); default: a fresh dense model of the config's preset.</summary>
    public ClipModelBase? Model { get; init; }
    /// <summary>Aux loss of MoE models (see Moe.Routing).</summary>
    public Func<ClipModelBase, StepAux?>? Aux { get; init; }
    /// <summary>Rows of the training table to use (a MoDE expert's shard); default: all.</summary>
    public IReadOnlyList<int>? Rows { get; init; }
    /// <summary>Stop at this step with the schedule of the whole run (a MoDE seed is a dense run stopped at 27/32); default: Train.Steps.</summary>
    public int? StopAtStep { get; init; }
    public CancellationToken Cancel { get; init; }
}

/// <summary>The outcome of <see cref="TrainRun.Execute"/>, also written to <c>out/results.json</c>.</summary>
public sealed record TrainRunResult(string OutDir, TrainResult Train, EvalResult Eval, double Seconds, ClipModelBase Model)
{
    /// <summary>Seconds spent in training steps by this process (evaluation and set-up excluded).</summary>
    public double TrainSeconds { get; init; }
    /// <summary>Training samples per second of this process (steps it ran × batch / <see cref="TrainSeconds"/>).</summary>
    public double SamplesPerSecond { get; init; }
}

/// <summary>
/// One training run from a <see cref="RunConfig"/>: data → loader → trainer (resumable) → evaluation → results.json.
/// The CLI's <c>train</c>, the quickstart, the notebooks and the experiments all go through here.
/// </summary>
public static class TrainRun
{
    public static TrainRunResult Execute(RunConfig config, TrainRunOptions? options = null)
    {
        options ??= new TrainRunOptions();
        config.Validate();
        var clock = Stopwatch.StartNew();
        var device = Devices.Resolve(config.Device);
        // Modules draw from their own seeded generators; the global RNG is seeded too, for anything that does not.
        torch.manual_seed(config.Train.Seed);
        var modelConfig = config.ModelConfig();
        var model = options.Model ?? BuildModel(config, modelConfig, options.Log);
        var aux = options.Aux ?? (Moe.Routing.Layers(model).Count > 0 ? Upcycling.Aux : null);
        model.to(device);
        Directory.CreateDirectory(config.Out);
        File.WriteAllText(Path.Combine(config.Out, "config.json"), JsonConfig.Serialize(config));

        ImageTextSource source = new CsvImageTextSource(config.Data.Source(config.Data.Train));
        if (options.Rows is { } rows) source = new ImageTextSubset(source, rows);
        var loader = new ImageTextLoader(source,
            LoaderConfig.Train(config.Train.BatchSize, (int)config.Train.Seed) with
            {
                OneCaptionPerImage = config.Data.OneCaptionPerImage, Workers = config.Data.Workers,
                MaxErrorFraction = config.Data.MaxErrorFraction,
            },
            new ImageTransformConfig(model.Config.Vision.ImageSize));
        var tokenizer = ClipTokenizer.Default;
        using var stream = new LoaderStream(loader, texts => tokenizer.Tokenize(texts, model.Config.Text.ContextLength));
        var collapse = new Moe.RouterCollapse();
        var progress = new SyncProgress<TrainProgress>(p =>
        {
            foreach (var w in collapse.Observe(p.Metrics)) options.Log?.Invoke(w);
            options.Progress?.Report(p);
        });
        using var trainer = new Trainer(model, config.Train, device, aux)
        {
            RunDirectory = config.Out, Progress = progress,
            Validate = config.Eval.Retrieval is { } val && config.Train.EvalEvery > 0 ? ValidationScore(val, device, tokenizer) : null,
        };
        int start = 0;
        if (options.Resume && Checkpoint.FindLatest(Path.Combine(config.Out, "checkpoints"), options.Log) is { } latest)
        {
            start = Checkpoint.Restore(latest, model, trainer, stream).Step;
            options.Log?.Invoke($"resumed from {latest} at step {start}");
        }
        var trainClock = Stopwatch.StartNew();
        var train = trainer.Run(stream, start, options.StopAtStep, options.Cancel);
        double trainSeconds = trainClock.Elapsed.TotalSeconds;
        var eval = Evaluation.Run(model, config.Eval, device, tokenizer);
        var result = new TrainRunResult(config.Out, train, eval, clock.Elapsed.TotalSeconds, model)
        {
            TrainSeconds = trainSeconds,
            SamplesPerSecond = trainSeconds > 0 ? (train.Steps - start) * (double)config.Train.BatchSize * config.Train.GradAccumulation / trainSeconds : 0,
        };
        File.WriteAllText(Path.Combine(config.Out, "results.json"), ResultJson(config, result).ToJsonString(JsonConfig.Options));
        return result;
    }

    /// <summary>Mean of the six retrieval recalls on a held-out table: the score that picks the best checkpoint.</summary>
    private static Func<ClipModelBase, double> ValidationScore(string table, TorchSharp.torch.Device device, ClipTokenizer tokenizer)
    {
        var source = new CsvImageTextSource(new DataConfig().Source(table));
        var set = RetrievalSet.FromSource(source);
        return m => Evaluation.Retrieve(m, source, set, texts => tokenizer.Tokenize(texts, m.Config.Text.ContextLength), device).Mean;
    }

    /// <summary>The run's model: fresh dense, fresh MoE, dense weights from <c>init</c>, or those weights upcycled into the MoE.</summary>
    public static ClipModelBase BuildModel(RunConfig config, ClipConfig modelConfig, Action<string>? log = null)
    {
        if (config.Init is null)
            return config.Moe is { } fresh ? Moe.MoeModels.Create(modelConfig, fresh, config.Train.Seed) : new ClipModel(modelConfig, seed: config.Train.Seed);
        var dense = ModelImport.LoadDense(config.Init);
        if (dense.Config != modelConfig && config.ContextLength == 0)
            log?.Invoke($"init weights {config.Init} define their own architecture; the config's model preset is ignored");
        if (config.Moe is not { } moe) return dense;
        log?.Invoke($"upcycling {config.Init}: {moe.NumExperts} experts (copies of each dense MLP), top-{moe.TopK}, fresh routers");
        return Moe.Upcycler.Upcycle(dense, moe, config.Train.Seed);
    }

    public static JsonObject ResultJson(RunConfig config, TrainRunResult r)
    {
        var counts = ParameterCount.Of(r.Model);
        return new JsonObject
        {
            ["model"] = config.Model,
            ["steps"] = r.Train.Steps,
            ["skipped_steps"] = r.Train.SkippedSteps,
            ["final_loss"] = double.IsNaN(r.Train.FinalLoss) ? null : r.Train.FinalLoss,
            ["skipped_samples"] = r.Train.SkippedSamples.Count,
            ["parameters"] = counts.Total,
            ["seconds"] = r.Seconds,
            ["train_seconds"] = r.TrainSeconds,
            ["samples_per_second"] = r.SamplesPerSecond,
            ["device"] = config.Device,
            ["retrieval"] = r.Eval.Retrieval is null ? null : System.Text.Json.JsonSerializer.SerializeToNode(r.Eval.Retrieval, JsonConfig.Options),
            ["zero_shot"] = r.Eval.ZeroShot is null ? null : System.Text.Json.JsonSerializer.SerializeToNode(r.Eval.ZeroShot, JsonConfig.Options),
            ["zero_shot_attributes"] = r.Eval.Attributes.Count == 0 ? null
                : new JsonObject(r.Eval.Attributes.Select(a => KeyValuePair.Create(a.Key, System.Text.Json.JsonSerializer.SerializeToNode(a.Value, JsonConfig.Options)))),
            ["clipup_version"] = Info.Version,
        };
    }
}
