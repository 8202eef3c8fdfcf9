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
    public static IReadOnlyList<string> Run(ExperimentSpec experiment, string profileName, ProfileSpec profile, string resultsRoot,
        IProgress<(string Run, TrainProgress Progress)>? progress = null, Action<string>? log = null, int? seeds = null,
        IReadOnlyCollection<string>? only = null)
    {
        var dir = experiment.ResultsDir(resultsRoot, profileName);
        Directory.CreateDirectory(dir);
        var written = new List<string>();
        for (int seed = 0; seed < (seeds ?? profile.Seeds); seed++)
        {
            var baseConfig = ExperimentData.RunConfigFor(profile, Path.Combine(dir, "runs", $"seed{seed}"), seed);
            // One dense baseline per (backbone, width), trained once per seed and shared by every variant continuing it.
            var baselines = new Dictionary<string, ClipModelBase>();
            ClipModelBase BaselineOf(Variant v) =>
                baselines.TryGetValue(v.BaselineName, out var m) ? m
                : baselines[v.BaselineName] = Baseline(experiment, profile, dir, baseConfig with { Width = v.Width }, seed, v.Shared, v.BaselineName,
                    progress, log, written);
            if (only is null || only.Contains("dense")) BaselineOf(new Variant("dense", ""));
            foreach (var v in experiment.Variants)
            {
                if (only != null && !only.Contains(v.Name)) continue;
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
                    totalSteps: profile.DenseSteps + profile.ContinueSteps);
                written.Add(file);
            }
        }
        return written;
    }

    private static ClipModelBase Baseline(ExperimentSpec experiment, ProfileSpec profile, string dir, RunConfig baseConfig, int seed,
        bool shared, string name, IProgress<(string, TrainProgress)>? progress, Action<string>? log, List<string> written)
    {
        var config = baseConfig with { Out = Path.Combine(baseConfig.Out, name), Train = baseConfig.Train with { Steps = profile.DenseSteps } };
        var modelConfig = config.ModelConfig();
        ClipModelBase model = shared ? new SharedClipModel(modelConfig, seed: seed) : new ClipModel(modelConfig, seed: seed);
        var file = Path.Combine(dir, $"{name}-seed{seed}.json");
        var final = Path.Combine(config.Out, "checkpoints", $"step-{profile.DenseSteps:D8}{Checkpoint.Extension}");
        if (File.Exists(file) && File.Exists(final))
        {
            Checkpoint.LoadModel(model, SafeTensors.Load(final), final);
            log?.Invoke($"{name} seed {seed}: reusing {final}");
            return model;
        }
        var result = Train(config, model, moe: false, $"{name} s{seed}", progress, log);
        var description = (shared ? "dense shared-backbone baseline" : "dense baseline") + (baseConfig.Width == 1.0 ? "" : $" at width ×{baseConfig.Width}");
        Write(file, experiment, "", name, description, seed, config, result, profile,
            totalSteps: profile.DenseSteps);
        written.Add(file);
        return result.Model;
    }

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
        RunConfig config, TrainRunResult result, ProfileSpec spec, int totalSteps)
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
        json["accounting"] = ModelAccounting.ToJson(result.Model);
        json["routing"] = ModelAccounting.RoutingJson(result.OutDir);
        json["config"] = JsonNode.Parse(JsonConfig.Serialize(config));
        var tmp = file + ".tmp";
        File.WriteAllText(tmp, json.ToJsonString(JsonConfig.Options));
        File.Move(tmp, file, overwrite: true);
    }
}
