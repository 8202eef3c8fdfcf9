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
    /// <summary>How the user's config spells the unreadable-image limit, for the message that stops a run (MoDE: <c>max_error_fraction</c>).</summary>
    public string MaxErrorFractionKey { get; init; } = "data.max_error_fraction";
    /// <summary>The caller evaluates the trained model itself (MoDE stages): no warning about an empty eval section.</summary>
    public bool EvaluatedByCaller { get; init; }
    public CancellationToken Cancel { get; init; }
}

/// <summary>The outcome of <see cref="TrainRun.Execute"/>, also written to <c>out/results.json</c>.</summary>
public sealed record TrainRunResult(string OutDir, TrainResult Train, EvalResult Eval, double Seconds, ClipModelBase Model)
{
    /// <summary>Seconds spent in training steps by this process (evaluation and set-up excluded).</summary>
    public double TrainSeconds { get; init; }
    /// <summary>Training samples per second of this process (steps it ran × batch / <see cref="TrainSeconds"/>).</summary>
    public double SamplesPerSecond { get; init; }

    /// <summary>The unreadable images the loader skipped, with reasons.</summary>
    public DataErrors SkippedFiles { get; init; } = DataErrors.None;

    /// <summary>Rows of the training table that were dropped (empty captions) or repaired (invalid UTF-8).</summary>
    public SourceReport SourceReport { get; init; } = SourceReport.Clean;
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
        foreach (var warning in config.Warnings(options.EvaluatedByCaller)) options.Log?.Invoke($"warning: {warning}");
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
        foreach (var line in SkippedRows.Describe(config.Data.Train, source.Report)) options.Log?.Invoke(line);
        if (options.Rows is { } rows) source = new ImageTextSubset(source, rows);
        var loaderConfig = LoaderConfig.Train(config.Train.BatchSize, (int)config.Train.Seed) with
        {
            OneCaptionPerImage = config.Data.OneCaptionPerImage, Workers = config.Data.Workers,
            MaxErrorFraction = config.Data.MaxErrorFraction, DropLast = config.Data.DropLast,
        };
        var transform = new ImageTransformConfig(model.Config.Vision.ImageSize);
        if (loaderConfig.DropLast && new ImageTextLoader(source, loaderConfig with { DropLast = false }, transform).SamplesPerEpoch is var perEpoch
            && perEpoch < loaderConfig.BatchSize)
            throw new ArgumentException(
                $"train.batch_size {loaderConfig.BatchSize} exceeds the {perEpoch} samples per epoch of {config.Data.Train} and " +
                "data.drop_last is true, so every epoch would be empty: lower train.batch_size or set data.drop_last to false");
        var loader = new ImageTextLoader(source, loaderConfig, transform);
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
        if (options.Resume && Checkpoint.FindLatest(Path.Combine(config.Out, "checkpoints"), options.Log, moveDamagedAside: true) is { } latest)
        {
            start = Checkpoint.Restore(latest, model, trainer, stream).Step;
            options.Log?.Invoke($"resumed from {latest} at step {start}");
        }
        TrainResult train;
        var trainClock = Stopwatch.StartNew();
        try
        {
            train = trainer.Run(stream, start, options.StopAtStep, options.Cancel);
        }
        catch (DataErrorLimitException e)
        {
            throw e.WithSetting(options.MaxErrorFractionKey);
        }
        double trainSeconds = trainClock.Elapsed.TotalSeconds;
        if (loader.Errors is { Count: > 0 } errors)
            options.Log?.Invoke($"skipped {errors.Count} unreadable image(s) (results.json skipped_files):{Environment.NewLine}{errors.Describe(SkippedRows.Shown)}");
        var eval = Evaluation.Run(model, config.Eval, device, tokenizer);
        var result = new TrainRunResult(config.Out, train, eval, clock.Elapsed.TotalSeconds, model)
        {
            TrainSeconds = trainSeconds,
            SamplesPerSecond = trainSeconds > 0 ? (train.Steps - start) * (double)config.Train.BatchSize * config.Train.GradAccumulation / trainSeconds : 0,
            SkippedFiles = loader.Errors, SourceReport = source.Report,
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
            ["skipped_files"] = SkippedRows.Files(r.SkippedFiles),
            ["skipped_files_not_listed"] = Math.Max(0, r.SkippedFiles.Count - SkippedRows.Shown),
            ["table_rows"] = SkippedRows.Rows(config.Data.Train, r.SourceReport),
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

/// <summary>
/// How a run lists what it skipped, in its log and in results.json: each unreadable image with its reason, the table
/// lines with invalid UTF-8 (kept, bytes replaced by U+FFFD) and the dropped empty-caption lines, each capped at
/// <see cref="Shown"/> entries plus a count of the rest.
/// </summary>
public static class SkippedRows
{
    /// <summary>Entries listed per kind; the rest are counted.</summary>
    public const int Shown = 50;

    /// <summary>Log lines for a table's repaired and dropped rows (none when the table is clean).</summary>
    public static IEnumerable<string> Describe(string table, SourceReport report)
    {
        if (report.InvalidUtf8Lines.Count > 0)
            yield return $"{table}: {report.InvalidUtf8Lines.Count} line(s) with invalid UTF-8, kept with the bad bytes replaced by U+FFFD: " +
                         $"lines {Lines(report.InvalidUtf8Lines)}";
        if (report.EmptyCaptionsSkipped > 0)
            yield return $"{table}: {report.EmptyCaptionsSkipped} row(s) with an empty caption dropped" +
                         (report.EmptyCaptionLines is { Count: > 0 } lines ? $": lines {Lines(lines)}" : "");
    }

    /// <summary>[{file, reason}], at most <see cref="Shown"/>.</summary>
    public static JsonArray Files(DataErrors errors) =>
        new([.. errors.Items.Take(Shown).Select(e => (JsonNode)new JsonObject { ["file"] = e.File, ["reason"] = e.Reason })]);

    /// <summary>The table's repaired and dropped lines, each list capped at <see cref="Shown"/> with the total beside it.</summary>
    public static JsonObject Rows(string table, SourceReport report) => new()
    {
        ["table"] = table,
        ["invalid_utf8_lines"] = new JsonArray([.. report.InvalidUtf8Lines.Take(Shown).Select(l => (JsonNode)l)]),
        ["invalid_utf8_count"] = report.InvalidUtf8Lines.Count,
        ["empty_caption_lines"] = new JsonArray([.. (report.EmptyCaptionLines ?? []).Take(Shown).Select(l => (JsonNode)l)]),
        ["empty_caption_count"] = report.EmptyCaptionsSkipped,
    };

    private static string Lines(IReadOnlyList<int> lines) =>
        string.Join(", ", lines.Take(Shown)) + (lines.Count > Shown ? $" and {lines.Count - Shown} more" : "");
}
