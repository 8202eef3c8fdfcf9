using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClipUp.Eval;
using ClipUp.Io;
using ClipUp.Training;

namespace ClipUp.Experiments;

/// <summary>
/// Runs a <see cref="ModeExperimentSpec"/> under a profile. Per seed, variants are grouped by pipeline (experts, split,
/// embedder, m, ooc ratio); each pipeline trains once under &lt;runs&gt;/_mode/&lt;profile&gt;/seed&lt;k&gt;/&lt;pipeline&gt;/,
/// and all pipelines of that folder share one seed/ and one dense/ run — so the seed is trained once per profile and
/// seed across every MoDE experiment, and MoDE-2 is trained once for mode-experts, mode-splits, mode-routing, ….
/// Each pipeline is evaluated once for all its variants' routings (<see cref="ModeEvaluation.Run(ModeConfig, IReadOnlyList{ModeRoutingOptions}, Action{string})"/>).
/// A variant whose result file exists is skipped and trainings resume from their checkpoints.
/// </summary>
public static class ModeExperimentRunner
{
    /// <param name="adjust">Changes the profile's base config before the variants apply (a notebook's smaller budget, a device override).</param>
    /// <param name="command">The command line that ran it, recorded in every result file.</param>
    /// <param name="runsRoot">Where the pipelines (checkpoints, shards) and generated data go: <c>&lt;runsRoot&gt;/_mode/&lt;profile&gt;/seed&lt;k&gt;/</c>
    /// (the CLI's is the repository's ignored <c>runs/</c>); default: <paramref name="resultsRoot"/>.</param>
    public static IReadOnlyList<string> Run(ModeExperimentSpec experiment, string profileName, ModeProfile profile, string resultsRoot,
        ModeRunOptions? options = null, int? seeds = null, IReadOnlyCollection<string>? only = null, Func<ModeConfig, ModeConfig>? adjust = null,
        string? command = null, string? runsRoot = null)
    {
        options ??= new ModeRunOptions();
        var dir = experiment.ResultsDir(resultsRoot, profileName);
        Directory.CreateDirectory(dir);
        var written = new List<string>();
        for (var seed = 0; seed < (seeds ?? profile.Seeds); seed++)
        {
            foreach (var group in Pending(experiment, profileName, profile, resultsRoot, runsRoot, seed, only, adjust, options.Log))
            {
                var config = group.First().Config;
                var clock = Stopwatch.StartNew();
                options.Log?.Invoke($"pipeline {Path.GetFileName(config.Out)} (seed {seed}) for {string.Join(", ", group.Select(g => g.Variant.Name))}");
                ReuseClustering(config, Enumerable.Range(0, seed).Select(s => Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(config.Out)!)!, $"seed{s}", Path.GetFileName(config.Out))), options.Log);
                var runs = ModePipeline.TrainAll(config, options with { Progress = Labelled(options.Progress, config, seed) });
                var routings = group.Select(g => Routing(g.Variant, config)).Distinct().ToList();
                var results = ModeEvaluation.Run(config, routings, options.Log);
                var clusters = File.Exists(config.Paths.ClustersJson) ? JsonNode.Parse(File.ReadAllText(config.Paths.ClustersJson)) : null;
                foreach (var (v, _) in group)
                {
                    var result = results[routings.IndexOf(Routing(v, config))];
                    var file = ResultFile(dir, v, seed);
                    var json = ResultJson(experiment, profileName, v, seed, config, result, clusters, clock.Elapsed.TotalSeconds, runs, command);
                    File.WriteAllText(file + ".tmp", json.ToJsonString(JsonConfig.Options));
                    File.Move(file + ".tmp", file, overwrite: true);
                    written.Add(file);
                }
            }
        }
        return written;
    }

    /// <summary>
    /// The training runs a call of <see cref="Run"/> still has to do, in order, with the steps each has left and the step
    /// it resumes from (what an ETA is computed from): per seed the shared seed and dense runs, then every pending
    /// pipeline's experts. Names match the progress labels <see cref="Run"/> reports (<see cref="RunLabel"/>).
    /// </summary>
    public static IReadOnlyList<(string Run, int Steps, int From)> Plan(ModeExperimentSpec experiment, string profileName, ModeProfile profile,
        string resultsRoot, int? seeds = null, IReadOnlyCollection<string>? only = null, Func<ModeConfig, ModeConfig>? adjust = null, string? runsRoot = null)
    {
        var plan = new List<(string, int, int)>();
        for (var seed = 0; seed < (seeds ?? profile.Seeds); seed++)
        {
            var groups = Pending(experiment, profileName, profile, resultsRoot, runsRoot, seed, only, adjust, log: null);
            if (groups.Count == 0) continue;
            var first = groups[0].First().Config;
            void Add(ModeConfig config, string dir, string run, int from, int to)
            {
                var at = Checkpoint.FindLatest(ModePaths.Checkpoints(dir)) is { } latest ? Math.Max(from, (int)Checkpoint.ReadMetadata(latest)["step"]!) : from;
                if (at < to) plan.Add((RunLabel(config, seed, run), to - at, at));
            }
            Add(first, first.Paths.Seed, "seed", 0, first.SeedSteps);
            foreach (var group in groups)
            {
                var config = group.First().Config;
                for (var e = 0; e < config.Clustering.Experts; e++) Add(config, config.Paths.Expert(e), $"expert_{e:D2}", config.SeedSteps, config.Train.Steps);
            }
            Add(first, first.Paths.Dense, "dense", first.SeedSteps, first.Train.Steps);
        }
        return plan;
    }

    /// <summary>
    /// How a training run is named in progress and in <see cref="Plan"/>: <c>s0 seed</c> and <c>s0 dense</c> (shared by
    /// every pipeline of the seed), <c>s0 &lt;pipeline&gt;/expert_01</c> for an expert.
    /// </summary>
    public static string RunLabel(ModeConfig config, int seed, string run) =>
        run is "seed" or "dense" ? $"s{seed} {run}" : $"s{seed} {Path.GetFileName(config.Out)}/{run}";

    /// <summary>Each seed's variants without a result file, grouped by the pipeline that trains them.</summary>
    private static List<IGrouping<string, (ModeVariant Variant, ModeConfig Config)>> Pending(ModeExperimentSpec experiment, string profileName,
        ModeProfile profile, string resultsRoot, string? runsRoot, int seed, IReadOnlyCollection<string>? only, Func<ModeConfig, ModeConfig>? adjust,
        Action<string>? log)
    {
        var dir = experiment.ResultsDir(resultsRoot, profileName);
        var work = runsRoot ?? resultsRoot;
        var shared = Path.GetFullPath(Path.Combine(work, "_mode", profileName, $"seed{seed}"));
        var baseConfig = profile.Build(seed, work);
        if (adjust is not null) baseConfig = adjust(baseConfig);
        var pending = new List<(ModeVariant Variant, ModeConfig Config)>();
        foreach (var v in experiment.Variants)
        {
            if (only is not null && !only.Contains(v.Name)) continue;
            var file = ResultFile(dir, v, seed);
            if (File.Exists(file)) { log?.Invoke($"{v.Name} seed {seed}: done before ({file})"); continue; }
            if (PipelineConfig(baseConfig, v, shared) is { } config) pending.Add((v, config));
            else log?.Invoke($"{v.Name}: skipped, ${ModeExperimentCatalog.OnnxEmbedderVariable} is not set (model.onnx,vocab.txt)");
        }
        return pending.GroupBy(p => p.Config.Out).ToList();
    }

    /// <summary>
    /// The clustering depends on the mixture, the embedder, m, n and the k-means seed, not on the training seed: a pipeline
    /// of seed k copies the clustering, shards and cluster report of the same pipeline of an earlier seed instead of
    /// fitting again (the balanced k-means into m fine clusters is the slowest stage on a CPU). Not for an embedder made
    /// from the seed model (clip-text:seed), whose clustering differs per seed.
    /// </summary>
    /// <param name="earlier">The same pipeline's folders under earlier seeds.</param>
    private static void ReuseClustering(ModeConfig config, IEnumerable<string> earlier, Action<string>? log)
    {
        var paths = config.Paths;
        if (config.Clustering.Embedder.StartsWith("clip-text:seed", StringComparison.Ordinal) || File.Exists(paths.ClusteringInfo)) return;
        var mixture = ModeMixture.Write(config);
        foreach (var from in earlier.Select(o => new ModePaths(o)))
        {
            if (!File.Exists(from.ClusteringInfo)) continue;
            var info = ModeClusteringInfo.Read(from);
            if (!info.Matches(config.Clustering) || info.MixtureSha256 != mixture.Sha256 || info.Rows != mixture.Rows
                || Enumerable.Range(0, config.Clustering.Experts).Any(e => !File.Exists(from.Shard(e)))) continue;
            Directory.CreateDirectory(paths.Shards);
            for (var e = 0; e < config.Clustering.Experts; e++) File.Copy(from.Shard(e), paths.Shard(e), overwrite: true);
            foreach (var (source, target) in new[] { (from.Clustering, paths.Clustering), (from.ClustersJson, paths.ClustersJson), (from.ClustersMarkdown, paths.ClustersMarkdown) })
                if (File.Exists(source)) File.Copy(source, target, overwrite: true);
            // Last: clustering.json is what marks the clustering as present.
            File.Copy(from.ClusteringInfo, paths.ClusteringInfo, overwrite: true);
            log?.Invoke($"{Path.GetFileName(config.Out)}: clustering of {from.Out} reused (it does not depend on the training seed)");
            return;
        }
    }

    private static IProgress<(string Run, TrainProgress Progress)>? Labelled(IProgress<(string Run, TrainProgress Progress)>? progress, ModeConfig config, int seed) =>
        progress is null ? null : new SyncProgress<(string Run, TrainProgress Progress)>(p => progress.Report((RunLabel(config, seed, p.Run), p.Progress)));

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
        ModeEvalResult result, JsonNode? clusters, double seconds, IReadOnlyList<ModeRunSummary> runs, string? command)
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
        // Only what this call trained: a pipeline finished by an earlier experiment reports no throughput.
        var trained = runs.Where(r => r.Seconds > 0).ToList();
        var trainingSeconds = trained.Sum(r => r.Seconds);
        double trainedSamples = trained.Sum(r => (double)(r.Steps - r.StartStep) * config.Train.BatchSize);
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
            ["machine"] = Provenance.Machine(), ["command"] = command,
            ["seconds"] = seconds, ["training_seconds"] = trainingSeconds, ["samples_per_second"] = trainingSeconds > 0 ? trainedSamples / trainingSeconds : null,
            ["clipup_version"] = Info.Version,
            ["config"] = JsonNode.Parse(JsonConfig.Serialize(config)),
            // Every evaluation item's rank under this variant's method: what ClaimReport resamples for the paired intervals.
            ["items"] = Items(result, m),
        };
        return json;
    }

    /// <summary>
    /// The method's per-item ranks, keyed as <see cref="Stats.ItemMetrics"/> reads them: <c>zero_shot_tasks.&lt;task&gt;</c>,
    /// <c>retrieval_tasks.&lt;task&gt;.text_to_image</c> and <c>.image_to_text</c>.
    /// </summary>
    private static JsonObject Items(ModeEvalResult result, string method)
    {
        static JsonNode Array(int[] ranks) => new JsonArray(ranks.Select(r => (JsonNode?)r).ToArray());
        var items = new JsonObject();
        foreach (var z in result.ZeroShot) items[$"zero_shot_tasks.{z.Task}"] = Array(z.Ranks[method]);
        foreach (var r in result.Retrieval)
        {
            items[$"retrieval_tasks.{r.Task}.text_to_image"] = Array(r.Ranks[method].TextToImage);
            items[$"retrieval_tasks.{r.Task}.image_to_text"] = Array(r.Ranks[method].ImageToText);
        }
        return items;
    }

    private static string Slug(string s) =>
        s.Length > 40 ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s)))[..12]
            : new string(s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-').ToArray());
}
