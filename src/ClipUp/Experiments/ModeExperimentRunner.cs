using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClipUp.Eval;
using ClipUp.Io;

namespace ClipUp.Experiments;

/// <summary>
/// Runs a <see cref="ModeExperimentSpec"/> under a profile. Per seed, variants are grouped by pipeline (experts, split,
/// embedder, m, ooc ratio); each pipeline trains once under results/_mode/&lt;profile&gt;/seed&lt;k&gt;/&lt;pipeline&gt;/,
/// and all pipelines of that folder share one seed/ and one dense/ run — so the seed is trained once per profile and
/// seed across every MoDE experiment, and MoDE-2 is trained once for mode-experts, mode-splits, mode-routing, ….
/// Each pipeline is evaluated once for all its variants' routings (<see cref="ModeEvaluation.Run(ModeConfig, IReadOnlyList{ModeRoutingOptions}, Action{string})"/>).
/// A variant whose result file exists is skipped and trainings resume from their checkpoints.
/// </summary>
public static class ModeExperimentRunner
{
    /// <param name="adjust">Changes the profile's base config before the variants apply (a notebook's smaller budget, a device override).</param>
    public static IReadOnlyList<string> Run(ModeExperimentSpec experiment, string profileName, ModeProfile profile, string resultsRoot,
        ModeRunOptions? options = null, int? seeds = null, IReadOnlyCollection<string>? only = null, Func<ModeConfig, ModeConfig>? adjust = null)
    {
        options ??= new ModeRunOptions();
        var dir = experiment.ResultsDir(resultsRoot, profileName);
        Directory.CreateDirectory(dir);
        var written = new List<string>();
        for (var seed = 0; seed < (seeds ?? profile.Seeds); seed++)
        {
            var shared = Path.GetFullPath(Path.Combine(resultsRoot, "_mode", profileName, $"seed{seed}"));
            var baseConfig = profile.Build(seed, resultsRoot);
            if (adjust is not null) baseConfig = adjust(baseConfig);
            var pending = new List<(ModeVariant Variant, ModeConfig Config)>();
            foreach (var v in experiment.Variants)
            {
                if (only is not null && !only.Contains(v.Name)) continue;
                var file = ResultFile(dir, v, seed);
                if (File.Exists(file)) { options.Log?.Invoke($"{v.Name} seed {seed}: done before ({file})"); continue; }
                if (PipelineConfig(baseConfig, v, shared) is { } config) pending.Add((v, config));
                else options.Log?.Invoke($"{v.Name}: skipped, ${ModeExperimentCatalog.OnnxEmbedderVariable} is not set (model.onnx,vocab.txt)");
            }
            foreach (var group in pending.GroupBy(p => p.Config.Out))
            {
                var config = group.First().Config;
                var clock = Stopwatch.StartNew();
                options.Log?.Invoke($"pipeline {Path.GetFileName(config.Out)} (seed {seed}) for {string.Join(", ", group.Select(g => g.Variant.Name))}");
                var runs = ModePipeline.TrainAll(config, options);
                var routings = group.Select(g => Routing(g.Variant, config)).Distinct().ToList();
                var results = ModeEvaluation.Run(config, routings, options.Log);
                var clusters = File.Exists(config.Paths.ClustersJson) ? JsonNode.Parse(File.ReadAllText(config.Paths.ClustersJson)) : null;
                foreach (var (v, _) in group)
                {
                    var result = results[routings.IndexOf(Routing(v, config))];
                    var file = ResultFile(dir, v, seed);
                    var json = ResultJson(experiment, profileName, v, seed, config, result, clusters, clock.Elapsed.TotalSeconds,
                        runs.Sum(r => r.Seconds));
                    File.WriteAllText(file + ".tmp", json.ToJsonString(JsonConfig.Options));
                    File.Move(file + ".tmp", file, overwrite: true);
                    written.Add(file);
                }
            }
        }
        return written;
    }

    /// <summary>The pipeline a variant trains: null for an ONNX variant whose model is not configured.</summary>
    public static ModeConfig? PipelineConfig(ModeConfig baseConfig, ModeVariant v, string shared)
    {
        var embedder = v.Embedder ?? baseConfig.Clustering.Embedder;
        if (embedder.StartsWith("onnx:$", StringComparison.Ordinal))
        {
            if (Environment.GetEnvironmentVariable(embedder["onnx:$".Length..]) is not { Length: > 0 } onnx) return null;
            embedder = "onnx:" + onnx;
        }
        var ooc = v.OutOfClusterRatio ?? baseConfig.OutOfClusterRatio;
        var fine = v.FineClusters > 0 ? v.FineClusters : baseConfig.Clustering.FineClusters;
        var key = $"{v.Split}-{Slug(embedder)}-n{v.Experts}-m{(fine == 0 ? "default" : fine)}-ooc{ooc:G}";
        return baseConfig with
        {
            Out = Path.Combine(shared, key), SharedRuns = shared, Split = v.Split, OutOfClusterRatio = ooc, DenseBaseline = true,
            Clustering = baseConfig.Clustering with { Embedder = embedder, Experts = v.Experts, FineClusters = fine },
        };
    }

    /// <summary>results/&lt;experiment&gt;/&lt;profile&gt;/&lt;variant&gt;-seed&lt;k&gt;.json.</summary>
    public static string ResultFile(string dir, ModeVariant v, int seed) => Path.Combine(dir, $"{v.Name}-seed{seed}.json");

    private static ModeRoutingOptions Routing(ModeVariant v, ModeConfig config) => v.Routing ?? ModeRoutingOptions.Of(config.Eval);

    /// <summary>
    /// The result file: the variant's method averaged over tasks as <c>zero_shot</c> / <c>retrieval</c> (the columns
    /// <see cref="ExperimentReport"/> reads), per-task scores of every method, routing weights, cost, clustering quality,
    /// and provenance (commit, device, wall time, config).
    /// </summary>
    private static JsonObject ResultJson(ModeExperimentSpec experiment, string profile, ModeVariant v, int seed, ModeConfig config,
        ModeEvalResult result, JsonNode? clusters, double seconds, double trainingSeconds)
    {
        var m = v.Method;
        var zs = result.ZeroShot.Select(z => z.Scores.TryGetValue(m, out var s) ? s
            : throw new InvalidDataException($"variant {v.Name}: method '{m}' is not among the scores [{string.Join(", ", z.Scores.Keys)}]")).ToList();
        var rt = result.Retrieval.Select(r => r.Scores[m]).ToList();
        var n = config.Clustering.Experts;
        var relativeCompute = m switch
        {
            "dense" => 1.0,
            "seed" => (double)config.SeedSteps / config.Train.Steps,
            _ => result.Cost.RelativeTrainingCompute,
        };
        var inference = v.IsEnsemble && result.Cost.ZeroShotInference.Count > 0 ? result.Cost.ZeroShotInference.Values.Average(c => c.Ratio) : 1.0;
        JsonNode? Node<T>(T value) => JsonSerializer.SerializeToNode(value, JsonConfig.Options);
        var json = new JsonObject
        {
            ["experiment"] = experiment.Name, ["variant"] = v.Name, ["description"] = v.Description, ["seed"] = seed, ["profile"] = profile,
            ["method"] = m, ["experts"] = n, ["split"] = config.Split, ["embedder"] = config.Clustering.Embedder,
            ["fine_clusters"] = (int?)clusters?["fine_clusters"] ?? config.Clustering.FineClusters, ["out_of_cluster_ratio"] = config.OutOfClusterRatio,
            ["zero_shot"] = zs.Count == 0 ? null : new JsonObject { ["top1"] = zs.Average(s => s.Top1), ["top5"] = zs.Average(s => s.Top5) },
            ["retrieval"] = rt.Count == 0 ? null : Node(new RetrievalMetrics(rt.Average(r => r.TextToImageR1), rt.Average(r => r.TextToImageR5),
                rt.Average(r => r.TextToImageR10), rt.Average(r => r.ImageToTextR1), rt.Average(r => r.ImageToTextR5), rt.Average(r => r.ImageToTextR10))),
            ["zero_shot_tasks"] = new JsonObject(result.ZeroShot.Select(z => KeyValuePair.Create(z.Task, Node(z.Scores)))),
            ["retrieval_tasks"] = new JsonObject(result.Retrieval.Select(r => KeyValuePair.Create(r.Task, Node(r.Scores)))),
            ["routing_weights"] = new JsonObject(result.ZeroShot.Select(z => KeyValuePair.Create(z.Task, Node(z.Weights)))
                .Concat(result.Retrieval.Select(r => KeyValuePair.Create(r.Task, Node(r.Weights))))),
            ["routing"] = Node(Routing(v, config)),
            ["cost"] = new JsonObject
            {
                ["relative_training_compute"] = relativeCompute, ["inference_flops_ratio"] = inference,
                ["seed_steps"] = config.SeedSteps, ["expert_steps"] = config.ExpertSteps, ["dense_steps"] = config.Train.Steps,
            },
            // Only where the variant's experts are the clustering's: not for the seed/dense models nor the Full/Random splits.
            ["clustering"] = clusters is null || m is "dense" or "seed" || config.Split != "clusters" ? null : new JsonObject
            {
                ["domain_ari"] = clusters["domain_adjusted_rand_index"]?.DeepClone(), ["expert_purity"] = clusters["expert_purity"]?.DeepClone(),
                ["sizes"] = new JsonArray(((clusters["expert_summaries"] as JsonArray) ?? []).Select(e => (JsonNode?)JsonValue.Create((long)e!["rows"]!)).ToArray()),
            },
            ["commit"] = Provenance.Commit(), ["device"] = config.Device, ["device_name"] = Provenance.DeviceName(config.Device),
            ["seconds"] = seconds, ["training_seconds"] = trainingSeconds, ["clipup_version"] = Info.Version,
            ["config"] = JsonNode.Parse(JsonConfig.Serialize(config)),
        };
        return json;
    }

    private static string Slug(string s) =>
        s.Length > 40 ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s)))[..12]
            : new string(s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-').ToArray());
}
