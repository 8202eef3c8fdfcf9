using System.Diagnostics;
using System.Text.Json.Nodes;
using ClipUp.Io;
using ClipUp.Model;
using ClipUp.Moe;
using ClipUp.Training;

namespace ClipUp.Experiments;

/// <summary>
/// Runs an <see cref="ExperimentSpec"/> under a profile: for each seed, the dense baseline once, then every variant,
/// each writing <c>results/&lt;experiment&gt;/&lt;profile&gt;/&lt;variant&gt;-seed&lt;k&gt;.json</c>. A variant whose result file exists is
/// skipped and an interrupted training resumes from its checkpoint, so a run can be stopped and restarted at will and
/// new seeds append to the table.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>
    /// Where a run's checkpoints go: <c>&lt;runsRoot&gt;/&lt;experiment&gt;/&lt;profile&gt;/seed&lt;k&gt;/&lt;variant&gt;/checkpoints/</c>
    /// (the CLI's runsRoot is the repository's <c>runs/</c>), so that any arm's final weights can be evaluated with
    /// <c>clipup eval --weights</c> on other data; without a runsRoot, inside the results folder under <c>runs/</c>.
    /// </summary>
    public static string RunDir(string resultsRoot, string? runsRoot, ExperimentSpec experiment, string profile, int seed, string variant) =>
        runsRoot is null
            ? Path.Combine(experiment.ResultsDir(resultsRoot, profile), "runs", $"seed{seed}", variant)
            : Path.Combine(runsRoot, experiment.Name, profile, $"seed{seed}", variant);

    /// <summary>
    /// The training runs a call of <see cref="Run"/> still has to do, in order, with their steps (what an ETA is
    /// computed from): each seed's dense baseline(s) unless reusable, then every variant without a result file.
    /// </summary>
    public static IReadOnlyList<(string Run, int Steps)> Plan(ExperimentSpec experiment, string profileName, ProfileSpec profile, string resultsRoot,
        int? seeds = null, IReadOnlyCollection<string>? only = null, string? runsRoot = null)
    {
        var dir = experiment.ResultsDir(resultsRoot, profileName);
        var plan = new List<(string, int)>();
        for (int seed = 0; seed < (seeds ?? profile.Seeds); seed++)
        {
            var variants = profile.VariantsOf(experiment, only?.Where(n => n != "dense").ToList() is { Count: > 0 } o ? o : null);
            var todo = variants.Where(v => !File.Exists(Path.Combine(dir, $"{v.Name}-seed{seed}.json"))).ToList();
            var baselines = todo.Where(v => v.Start == StartFrom.DenseBaseline).Select(v => v.BaselineName).ToHashSet();
            if (only is null || only.Contains("dense")) baselines.Add("dense");
            // A baseline is (re)trained when its result is missing, or when a pending variant continues it and its
            // final checkpoint is gone (results committed, runs/ not).
            bool CheckpointGone(string b) => !File.Exists(FinalDenseCheckpoint(RunDir(resultsRoot, runsRoot, experiment, profileName, seed, b), profile));
            var continued = todo.Where(v => v.Start == StartFrom.DenseBaseline).Select(v => v.BaselineName).ToHashSet();
            foreach (var b in baselines.Where(b => !File.Exists(Path.Combine(dir, $"{b}-seed{seed}.json")) || (continued.Contains(b) && CheckpointGone(b))))
                plan.Add(($"{b} s{seed}", profile.DenseSteps));
            foreach (var v in todo)
                plan.Add(($"{v.Name} s{seed}", v.Start == StartFrom.Scratch ? profile.DenseSteps + profile.ContinueSteps : profile.ContinueSteps));
        }
        return plan;
    }

    public static IReadOnlyList<string> Run(ExperimentSpec experiment, string profileName, ProfileSpec profile, string resultsRoot,
        IProgress<(string Run, TrainProgress Progress)>? progress = null, Action<string>? log = null, int? seeds = null,
        IReadOnlyCollection<string>? only = null, string? command = null, string? runsRoot = null)
    {
        var dir = experiment.ResultsDir(resultsRoot, profileName);
        Directory.CreateDirectory(dir);
        var written = new List<string>();
        var onlyVariants = only?.Where(n => n != "dense").ToList() is { Count: > 0 } o ? o : null;
        for (int seed = 0; seed < (seeds ?? profile.Seeds); seed++)
        {
            var baseConfig = ExperimentData.RunConfigFor(profile, Path.GetDirectoryName(RunDir(resultsRoot, runsRoot, experiment, profileName, seed, "x"))!, seed,
                dataDir: runsRoot is null ? null : Path.Combine(runsRoot, "_data"));
            // One dense baseline per (backbone, width), trained once per seed and shared by every variant continuing it.
            var baselines = new Dictionary<string, ClipModelBase>();
            ClipModelBase BaselineOf(Variant v) =>
                baselines.TryGetValue(v.BaselineName, out var m) ? m
                : baselines[v.BaselineName] = Baseline(experiment, profile, dir, baseConfig with { Width = v.Width }, seed, v.Shared, v.BaselineName,
                    progress, log, written, command);
            // A finished dense baseline is retrained only when a pending variant continues it and its checkpoint is gone.
            if ((only is null || only.Contains("dense")) && !File.Exists(Path.Combine(dir, $"dense-seed{seed}.json"))) BaselineOf(new Variant("dense", ""));
            foreach (var v in profile.VariantsOf(experiment, onlyVariants))
            {
                if (only != null && onlyVariants is null) continue;
                var file = Path.Combine(dir, $"{v.Name}-seed{seed}.json");
                if (File.Exists(file)) { log?.Invoke($"{v.Name} seed {seed}: done before ({file})"); continue; }
                var start = v.Start == StartFrom.DenseBaseline ? BaselineOf(v) : null;
                var model = BuildModel(v, profile, baseConfig, start, seed);
                bool scratch = v.Start == StartFrom.Scratch;
                var train = baseConfig.Train with
                {
                    Steps = scratch ? profile.DenseSteps + profile.ContinueSteps : profile.ContinueSteps,
                    LearningRate = scratch ? profile.LearningRate : profile.LearningRate * v.LrFactor,
                    WarmupSteps = scratch ? baseConfig.Train.WarmupSteps : Math.Max(1, profile.ContinueSteps / 20),
                };
                var config = baseConfig with { Out = Path.Combine(baseConfig.Out, v.Name), Train = train, Width = v.Width, Moe = v.Moe };
                var result = Train(config, model, v.Moe is not null, $"{v.Name} s{seed}", progress, log);
                Write(file, experiment, profileName, v.Name, v.Description, seed, config, result, profile,
                    totalSteps: profile.DenseSteps + profile.ContinueSteps, command);
                written.Add(file);
            }
        }
        return written;
    }

    private static ClipModelBase Baseline(ExperimentSpec experiment, ProfileSpec profile, string dir, RunConfig baseConfig, int seed,
        bool shared, string name, IProgress<(string, TrainProgress)>? progress, Action<string>? log, List<string> written, string? command)
    {
        var config = baseConfig with { Out = Path.Combine(baseConfig.Out, name), Train = baseConfig.Train with { Steps = profile.DenseSteps } };
        var modelConfig = config.ModelConfig();
        ClipModelBase model = shared ? new SharedClipModel(modelConfig, seed: seed) : new ClipModel(modelConfig, seed: seed);
        var file = Path.Combine(dir, $"{name}-seed{seed}.json");
        var final = FinalDenseCheckpoint(config.Out, profile);
        if (File.Exists(file) && File.Exists(final))
        {
            Checkpoint.LoadModel(model, SafeTensors.Load(final), final);
            log?.Invoke($"{name} seed {seed}: reusing {final}");
            return model;
        }
        var result = Train(config, model, moe: false, $"{name} s{seed}", progress, log);
        var description = (shared ? "dense shared-backbone baseline" : "dense baseline") + (baseConfig.Width == 1.0 ? "" : $" at width ×{baseConfig.Width}");
        Write(file, experiment, "", name, description, seed, config, result, profile,
            totalSteps: profile.DenseSteps, command);
        written.Add(file);
        return result.Model;
    }

    /// <summary>The last checkpoint a dense baseline's run folder holds when it finished.</summary>
    private static string FinalDenseCheckpoint(string runDir, ProfileSpec profile) =>
        Path.Combine(runDir, "checkpoints", $"step-{profile.DenseSteps:D8}{Checkpoint.Extension}");

    private static ClipModelBase BuildModel(Variant v, ProfileSpec profile, RunConfig baseConfig, ClipModelBase? start, int seed)
    {
        var clip = (baseConfig with { Width = v.Width }).ModelConfig();
        if (v.Start == StartFrom.Scratch)
            return (v.Moe, v.Shared) switch
            {
                (null, false) => new ClipModel(clip, seed: seed),
                (null, true) => new SharedClipModel(clip, seed: seed),
                ({ } moe, false) => MoeModels.Create(clip, moe, seed),
                ({ } moe, true) => MoeModels.CreateShared(clip, moe, seed),
            };
        if (start is null) throw new InvalidOperationException($"variant {v.Name} starts from a dense baseline that was not trained");
        if (v.Moe is { } m) return Upcycler.Upcycle(start, m, seed);
        ClipModelBase copy = v.Shared ? new SharedClipModel(clip, seed: seed) : new ClipModel(clip, seed: seed);
        Checkpoint.LoadModel(copy, start.state_dict(), "the dense baseline");
        return copy;
    }

    private static TrainRunResult Train(RunConfig config, ClipModelBase model, bool moe, string label,
        IProgress<(string, TrainProgress)>? progress, Action<string>? log) =>
        TrainRun.Execute(config, new TrainRunOptions
        {
            Model = model, Resume = true, Log = log,
            Aux = moe ? m => { var s = Routing.Take(m); return new StepAux(s.AuxLoss, s.Stats()); } : null,
            Progress = progress is null ? null : new SyncProgress<TrainProgress>(p => progress.Report((label, p))),
        });

    private static void Write(string file, ExperimentSpec experiment, string profile, string variant, string description, int seed,
        RunConfig config, TrainRunResult result, ProfileSpec spec, int totalSteps, string? command)
    {
        var json = TrainRun.ResultJson(config, result);
        json["experiment"] = experiment.Name;
        json["variant"] = variant;
        json["description"] = description;
        json["seed"] = seed;
        json["total_steps"] = totalSteps;
        json["batch_size"] = spec.BatchSize;
        json["commit"] = Provenance.Commit();
        json["device_name"] = Provenance.DeviceName(config.Device);
        json["machine"] = Provenance.Machine();
        json["command"] = command;
        json["checkpoint"] = result.Train.LastCheckpoint;
        json["accounting"] = ModelAccounting.ToJson(result.Model);
        json["routing"] = ModelAccounting.RoutingJson(result.OutDir);
        json["config"] = JsonNode.Parse(JsonConfig.Serialize(config));
        // Every evaluation item's rank: what ClaimReport resamples for the paired confidence intervals.
        json["items"] = new JsonObject(result.Eval.Ranks.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)new JsonArray(r.Value.Select(x => (JsonNode?)x).ToArray()))));
        var tmp = file + ".tmp";
        File.WriteAllText(tmp, json.ToJsonString(JsonConfig.Options));
        File.Move(tmp, file, overwrite: true);
    }
}
