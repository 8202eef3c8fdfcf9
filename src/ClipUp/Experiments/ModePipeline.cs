using ClipUp.Io;
using ClipUp.Mode;
using ClipUp.Runtime;
using ClipUp.Training;
using TorchSharp;

namespace ClipUp.Experiments;

/// <summary>Reporting and resumption of the pipeline's training stages.</summary>
public sealed record ModeRunOptions
{
    /// <summary>Progress of each training run, tagged with its name (seed, expert_00, …, dense).</summary>
    public IProgress<(string Run, TrainProgress Progress)>? Progress { get; init; }
    public Action<string>? Log { get; init; }
    /// <summary>Continue each run from its newest checkpoint (an expert killed mid-run resumes); false restarts it.</summary>
    public bool Resume { get; init; } = true;
    public CancellationToken Cancel { get; init; }
}

/// <summary>The cached caption embeddings of a mixture: file, embedder name (the cache key), N rows, D.</summary>
public sealed record ModeEmbedding(string Path, string Embedder, int Rows, int Dimension);

/// <summary>What a training stage did.</summary>
public sealed record ModeRunSummary(string Name, string OutDir, int StartStep, int Steps, int Rows, double FinalLoss, double Seconds);

/// <summary>
/// The MoDE pipeline (Ma et al. 2024; mode.md §1–§2) as library stages, each reading and writing files under
/// <see cref="ModeConfig.Out"/> (<see cref="ModePaths"/>), so the CLI, notebooks and array jobs can run them separately:
/// Embed → Cluster → Assign → TrainSeed → TrainExpert(i) → (TrainDense) → <see cref="ModeEvaluation.Run(ModeConfig, Action{string})"/>.
/// </summary>
public static class ModePipeline
{
    /// <summary>Writes the mixture and caches its caption embeddings (<see cref="EmbeddingCache"/>); a second call reads the cache.</summary>
    public static ModeEmbedding Embed(ModeConfig config)
    {
        config.Validate();
        var mixture = ModeMixture.Write(config);
        var embedder = ModeEmbedders.Create(config.Clustering.Embedder, mixture.Captions, config.Paths, Devices.Resolve(config.Device));
        try
        {
            var path = EmbeddingCache.GetOrCompute(embedder, mixture.Captions, config.Paths.Embeddings);
            return new ModeEmbedding(Path.GetFullPath(path), embedder.Name, mixture.Rows, embedder.Dimension);
        }
        finally
        {
            (embedder as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Two-step clustering (fine balanced k-means into m, coarse into n; <see cref="TwoStepClustering"/>), saved to
    /// clustering.bin + clustering.json. Old shards are deleted: they belong to the previous clustering.
    /// </summary>
    public static ExpertClustering Cluster(ModeConfig config)
    {
        var embedding = Embed(config);
        var mixture = ModeMixture.Write(config);
        var c = config.Clustering;
        var fine = c.FineClusters > 0 ? c.FineClusters : TwoStepOptions.DefaultFineClusters(embedding.Rows, c.Experts);
        var options = new TwoStepOptions(new KMeansOptions(fine), new KMeansOptions(c.Experts, MaxIterations: 100));
        if (c.FitBatchRows > 0 && c.FitBatchRows < 2 * fine)
            throw new ArgumentException($"clustering.fit_batch_rows {c.FitBatchRows} is below 2 × {fine} fine clusters: every online batch needs at least m rows; use >= {2 * fine} or 0 (all rows at once)");
        using var generator = new torch.Generator((ulong)c.Seed);
        var clustering = TwoStepClustering.Fit(EvenBatches(embedding.Path, embedding.Rows, c.FitBatchRows), options, generator, Devices.Resolve(config.Device));
        if (Directory.Exists(config.Paths.Shards)) Directory.Delete(config.Paths.Shards, recursive: true);
        clustering.Save(config.Paths.Clustering);
        var info = new ModeClusteringInfo(c.Embedder, embedding.Embedder, embedding.Path, embedding.Rows, embedding.Dimension, fine, c.Experts, clustering.Method, mixture.Sha256, c.Seed);
        File.WriteAllText(config.Paths.ClusteringInfo, JsonConfig.Serialize(info));
        return clustering;
    }

    /// <summary>
    /// Every row to its nearest fine centre and so to that centre's expert (Eq. 3); writes shards/expert_NN.tsv and the
    /// cluster report (clusters.json, clusters.md).
    /// </summary>
    public static ModeClusterReport Assign(ModeConfig config)
    {
        config.Validate();
        var paths = config.Paths;
        var info = ModeClusteringInfo.Read(paths);
        var mixture = ModeMixture.Write(config);
        info.RequireConfig(config.Clustering);
        info.RequireMixture(mixture);
        var clustering = ExpertClustering.Load(paths.Clustering);
        var assignment = ExpertShards.Assign(EmbeddingFile.ReadBatches(info.EmbeddingFile, 65536), clustering);
        ExpertShards.WriteManifests(paths.Shards, assignment, clustering.Experts, mixture.Images);
        var report = ModeClusterReport.Build(assignment, clustering, mixture, info.Embedder);
        File.WriteAllText(paths.ClustersJson, report.ToJson().ToJsonString(JsonConfig.Options));
        File.WriteAllText(paths.ClustersMarkdown, report.ToMarkdown());
        return report;
    }

    /// <summary>The dense seed: all rows, the full run's schedule, stopped at <see cref="ModeConfig.SeedSteps"/> (paper: epoch 27 of 32).</summary>
    public static ModeRunSummary TrainSeed(ModeConfig config, ModeRunOptions? options = null)
    {
        options ??= new ModeRunOptions();
        config.Validate();
        var mixture = ModeMixture.Write(config);
        var dir = config.Paths.Seed;
        if (!options.Resume) DeleteCheckpoints(dir);
        return Train(config, "seed", dir, rows: null, mixture.Rows, stopAt: config.SeedSteps, options);
    }

    /// <summary>
    /// Expert i continues the seed — weights, AdamW moments, RNG and LR schedule, as the reference resumes
    /// <c>epoch_27.pt</c> — for the remaining steps on its shard plus a seeded ⌊ratio·|out|⌋ sample of the other rows
    /// (<see cref="ExpertDataSampler"/>, drawn once per run, where the reference re-draws it at every pass over a shard).
    /// The seed's final checkpoint is copied into the expert's checkpoints/ with a fresh data position, so the expert's
    /// own checkpoints take over from there and a killed expert resumes from its newest one.
    /// </summary>
    public static ModeRunSummary TrainExpert(ModeConfig config, int expert, ModeRunOptions? options = null)
    {
        options ??= new ModeRunOptions();
        config.Validate();
        var n = config.Clustering.Experts;
        if (expert < 0 || expert >= n) throw new ArgumentOutOfRangeException(nameof(expert), $"expert {expert} is outside [0, {n}): the config has {n} experts");
        var paths = config.Paths;
        var mixture = ModeMixture.Write(config);
        var info = ModeClusteringInfo.Read(paths);
        info.RequireConfig(config.Clustering);
        info.RequireMixture(mixture);
        var rows = TrainingRows(config, expert, mixture.Rows);
        if (rows.Length < config.Train.BatchSize)
            throw new InvalidDataException($"expert {expert} has {rows.Length} rows, fewer than one batch of {config.Train.BatchSize}: use fewer experts or a smaller batch");
        var dir = paths.Expert(expert);
        HandOffSeed(config, dir, options);
        return Train(config, $"expert_{expert:D2}", dir, rows, rows.Length, stopAt: null, options);
    }

    /// <summary>The dense baseline at equal steps: the seed continued on all rows to the full budget (MoDE-1).</summary>
    public static ModeRunSummary TrainDense(ModeConfig config, ModeRunOptions? options = null)
    {
        options ??= new ModeRunOptions();
        config.Validate();
        var mixture = ModeMixture.Write(config);
        HandOffSeed(config, config.Paths.Dense, options);
        return Train(config, "dense", config.Paths.Dense, rows: null, mixture.Rows, stopAt: null, options);
    }

    /// <summary>
    /// Seed, then (when missing) embed + cluster + assign — after the seed, so <c>clip-text:seed</c> can use it —, then
    /// every expert in turn, then the dense baseline when <see cref="ModeConfig.DenseBaseline"/>.
    /// </summary>
    public static IReadOnlyList<ModeRunSummary> TrainAll(ModeConfig config, ModeRunOptions? options = null)
    {
        options ??= new ModeRunOptions();
        var runs = new List<ModeRunSummary> { TrainSeed(config, options) };
        var paths = config.Paths;
        if (!File.Exists(paths.ClusteringInfo) || !ModeClusteringInfo.Read(paths).Matches(config.Clustering)
            || Enumerable.Range(0, config.Clustering.Experts).Any(e => !File.Exists(paths.Shard(e))))
        {
            options.Log?.Invoke("no shards yet: embedding, clustering and assigning");
            Cluster(config);
            Assign(config);
        }
        for (var e = 0; e < config.Clustering.Experts; e++) runs.Add(TrainExpert(config, e, options));
        if (config.DenseBaseline) runs.Add(TrainDense(config, options));
        return runs;
    }

    /// <summary>
    /// The rows expert <paramref name="expert"/> trains on, by <see cref="ModeConfig.Split"/>: its cluster plus the
    /// out-of-cluster sample (MoDE); a seeded random split with the clusters' sizes plus the same sample (Random-n,
    /// Table 5: "a random 2-way split, sized like MoDE-2's clusters"); or every row in an order of its own (Full-n),
    /// since the experts share the seed's data order otherwise and two Full experts would be the same model.
    /// </summary>
    public static int[] TrainingRows(ModeConfig config, int expert, int rows)
    {
        var n = config.Clustering.Experts;
        var seed = (int)config.Train.Seed;
        if (config.Split == "full")
        {
            using var order = new torch.Generator((ulong)(1_000_003L * (seed + 1) + expert));
            using var perm = torch.randperm(rows, generator: order);
            return perm.data<long>().ToArray().Select(r => (int)r).ToArray();
        }
        var expertOf = ExpertOfRow(config.Paths, n, rows);
        if (config.Split == "random")
        {
            var sizes = Enumerable.Range(0, n).Select(e => expertOf.Count(x => x == e)).ToArray();
            using var split = new torch.Generator((ulong)(config.Clustering.Seed + 7919));
            expertOf = TwoStepClustering.RandomSplit(rows, n, split, sizes);
        }
        return ExpertDataSampler.Indices(expertOf, expert, config.OutOfClusterRatio, seed, epoch: 0);
    }

    /// <summary>The expert of every mixture row, from the shard manifests.</summary>
    public static int[] ExpertOfRow(ModePaths paths, int experts, int rows)
    {
        var expertOf = Enumerable.Repeat(-1, rows).ToArray();
        for (var e = 0; e < experts; e++)
        {
            var shard = paths.Shard(e);
            if (!File.Exists(shard)) throw new FileNotFoundException($"shard {shard} not found: run `clipup mode assign` first", shard);
            foreach (var r in ExpertShards.ReadManifest(shard))
            {
                if (r < 0 || r >= rows) throw new InvalidDataException($"{shard} lists row {r}, outside the mixture's {rows} rows: run `clipup mode assign` again");
                expertOf[r] = e;
            }
        }
        var missing = Array.IndexOf(expertOf, -1);
        if (missing >= 0) throw new InvalidDataException($"mixture row {missing} is in no shard of {paths.Shards}: run `clipup mode assign` again");
        return expertOf;
    }

    /// <summary>The RunConfig every stage trains with: the mixture table, the shared schedule, no evaluation.</summary>
    public static RunConfig RunConfigFor(ModeConfig config, string outDir) => new()
    {
        Model = config.Model, ContextLength = config.ContextLength, Device = config.Device, Out = outDir, Train = config.Train,
        Data = new DataConfig
        {
            Train = config.Paths.Mixture, OneCaptionPerImage = config.OneCaptionPerImage, Workers = config.Workers,
            MaxErrorFraction = config.MaxErrorFraction,
        },
    };

    private static ModeRunSummary Train(ModeConfig config, string name, string dir, int[]? rows, int rowCount, int? stopAt, ModeRunOptions options)
    {
        var start = Checkpoint.FindLatest(ModePaths.Checkpoints(dir)) is { } latest ? (int)Checkpoint.ReadMetadata(latest)["step"]! : 0;
        if (start >= (stopAt ?? config.Train.Steps))
        {
            // Done already: re-running would only rewrite the final checkpoint (and change a clip-text:seed file's bytes).
            options.Log?.Invoke($"{name} is complete at step {start}");
            return new ModeRunSummary(name, dir, start, start, rowCount, FinalLoss(dir), 0);
        }
        var result = TrainRun.Execute(RunConfigFor(config, dir), new TrainRunOptions
        {
            Resume = true, Rows = rows, StopAtStep = stopAt, Cancel = options.Cancel, Log = options.Log, MaxErrorFractionKey = "max_error_fraction",
            EvaluatedByCaller = true,
            Progress = options.Progress is { } p ? new SyncProgress<TrainProgress>(v => p.Report((name, v))) : null,
        });
        using var model = result.Model;
        return new ModeRunSummary(name, dir, start, result.Train.Steps, rowCount, result.Train.FinalLoss, result.Seconds);
    }

    private static double FinalLoss(string dir)
    {
        var results = Path.Combine(dir, "results.json");
        return File.Exists(results) && System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(results))?["final_loss"] is { } loss
            ? (double)loss : double.NaN;
    }

    /// <summary>Puts the seed's final checkpoint into a continuation's empty checkpoints/ (data position reset to the start).</summary>
    private static void HandOffSeed(ModeConfig config, string dir, ModeRunOptions options)
    {
        if (!options.Resume) DeleteCheckpoints(dir);
        var target = ModePaths.Checkpoints(dir);
        if (Checkpoint.FindLatest(target, options.Log) is not null) return;
        var seed = Checkpoint.FindLatest(ModePaths.Checkpoints(config.Paths.Seed))
            ?? throw new FileNotFoundException($"no seed checkpoint in {ModePaths.Checkpoints(config.Paths.Seed)}: run `clipup mode train-seed` first");
        var (tensors, meta) = CheckpointFile.Read(seed);
        if ((int)meta["step"]! != config.SeedSteps)
            throw new InvalidDataException($"the seed checkpoint {seed} is at step {(int)meta["step"]!}, but seed_fraction {config.SeedFraction} of {config.Train.Steps} steps needs {config.SeedSteps}: finish `clipup mode train-seed`");
        // The continuation reads other rows, so it starts its own pass over them (the reference's expert loader
        // starts a fresh stream too); step, optimizer state and RNG carry over.
        meta["data_epoch"] = 0;
        meta["data_index"] = 0;
        meta["seed_checkpoint"] = Path.GetFullPath(seed);
        Directory.CreateDirectory(target);
        CheckpointFile.Write(Path.Combine(target, Path.GetFileName(seed)), tensors, meta);
        foreach (var t in tensors.Values) t.Dispose();
        options.Log?.Invoke($"{Path.GetFileName(dir)} starts from the seed at step {config.SeedSteps}");
    }

    /// <summary>
    /// ⌈N/maxRows⌉ batches of near-equal size (⌊N/b⌋ or ⌈N/b⌉ rows, so ≥ maxRows/2), never a short last batch with fewer
    /// rows than fine clusters; one batch of all rows when <paramref name="maxRows"/> is 0.
    /// </summary>
    private static IEnumerable<TorchSharp.torch.Tensor> EvenBatches(string path, long rows, int maxRows)
    {
        var count = maxRows <= 0 ? 1 : (rows + maxRows - 1) / maxRows;
        for (long b = 0; b < count; b++)
        {
            var (start, end) = (b * rows / count, (b + 1) * rows / count);
            yield return EmbeddingFile.ReadRows(path, start, end - start);
        }
    }

    private static void DeleteCheckpoints(string dir)
    {
        var checkpoints = ModePaths.Checkpoints(dir);
        if (Directory.Exists(checkpoints)) Directory.Delete(checkpoints, recursive: true);
    }
}
