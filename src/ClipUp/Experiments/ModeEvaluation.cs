using System.Text.Json.Serialization;
using ClipUp.Data;
using ClipUp.Eval;
using ClipUp.Io;
using ClipUp.Mode;
using ClipUp.Model;
using ClipUp.Runtime;
using ClipUp.Text;
using ClipUp.Training;
using static TorchSharp.torch;

namespace ClipUp.Experiments;

/// <summary>One zero-shot task: the routing each formula gave it and every method's accuracy.</summary>
/// <param name="Weights">Routing weights per formula ("paper", "code"), one per expert.</param>
/// <param name="MeanCentreDistance">Mean Euclidean distance of the class embeddings to their nearest fine centre: the
/// scale the routing formulas exponentiate (mode.md §3: "measure the real distances before trusting either regime").</param>
/// <param name="Scores">expert_i, routed_paper, routed_code, uniform, single_best_*, oracle, and seed / dense when evaluated.</param>
public sealed record ModeZeroShotResult(string Task, int Classes, int Images, IReadOnlyDictionary<string, float[]> Weights,
    double MeanCentreDistance, IReadOnlyDictionary<string, ZeroShotMetrics> Scores)
{
    /// <summary>Per method (the keys of <see cref="Scores"/>), every image's rank of its true class: what a claim's interval resamples.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, int[]> Ranks { get; init; } = new Dictionary<string, int[]>();
}

/// <summary>One retrieval task; <paramref name="Weights"/> holds per formula the collection weights (image→text) and the mean per-query weights (text→image).</summary>
public sealed record ModeRetrievalResult(string Task, int Images, int Captions, IReadOnlyDictionary<string, float[]> Weights,
    double MeanCentreDistance, IReadOnlyDictionary<string, RetrievalMetrics> Scores)
{
    /// <summary>Per method, every caption's and every image's rank of its match (not written to eval.json: the result files keep the variant's).</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, RetrievalRanks> Ranks { get; init; } = new Dictionary<string, RetrievalRanks>();
}

/// <summary>
/// Compute of this MoDE run (<see cref="CostModel"/>): training relative to one dense run of the budget, (seed + n·expert)/dense
/// steps — (27 + 5n)/32 for the paper's fractions —, and per zero-shot task the inference FLOPs of the ensemble vs
/// one model, with encoder FLOPs estimated as 2 · parameters · tokens (Kaplan et al. 2020), attention scores ignored.
/// </summary>
public sealed record ModeCost(int Experts, int SeedSteps, int ExpertSteps, int DenseSteps, double RelativeTrainingCompute,
    IReadOnlyDictionary<string, InferenceCost> ZeroShotInference);

/// <summary>
/// The routing of one evaluation: both formulas' constants, and whether they route by the fine centres (MoDE) or by the
/// n coarse centres (Table 6's CoarseCluster ablation, each coarse centre its own expert).
/// </summary>
public sealed record ModeRoutingOptions(PaperRouting Paper, CodeRouting Code, bool CoarseCentres = false)
{
    public static ModeRoutingOptions Of(ModeEvalConfig eval) => new(eval.PaperRouting, eval.CodeRouting);
}

/// <summary>Everything <c>clipup mode eval</c> measured; written to eval.json.</summary>
public sealed record ModeEvalResult(IReadOnlyList<string> Models, ModeCost Cost, IReadOnlyList<ModeZeroShotResult> ZeroShot,
    IReadOnlyList<ModeRetrievalResult> Retrieval);

/// <summary>
/// Inference-time task adaptation (Ma et al. 2024 §3.3, Eqs. 4–7) on the configured tasks: every expert's outputs, the
/// metadata-routed ensemble under the paper's and the released code's formulas, uniform, single best, oracle, and the
/// seed and dense models for reference. Models are loaded one at a time; only their logits and similarities are kept.
/// </summary>
public static class ModeEvaluation
{
    /// <summary>Evaluates with the config's routing and writes eval.json.</summary>
    public static ModeEvalResult Run(ModeConfig config, Action<string>? log = null)
    {
        var result = Run(config, [ModeRoutingOptions.Of(config.Eval)], log)[0];
        File.WriteAllText(config.Paths.EvalJson, System.Text.Json.JsonSerializer.Serialize(result, JsonConfig.Options));
        return result;
    }

    /// <summary>
    /// One result per routing option from a single pass of every model over the tasks (the models' logits and
    /// similarities do not depend on the routing), so λ and temperature sweeps cost one evaluation. Writes no file.
    /// </summary>
    public static IReadOnlyList<ModeEvalResult> Run(ModeConfig config, IReadOnlyList<ModeRoutingOptions> routings, Action<string>? log = null)
    {
        config.Validate();
        foreach (var r in routings) { r.Paper.Validate(); r.Code.Validate(); }
        var paths = config.Paths;
        var device = Devices.Resolve(config.Device);
        var info = ModeClusteringInfo.Read(paths);
        info.RequireConfig(config.Clustering);
        var clustering = ExpertClustering.Load(paths.Clustering);
        var n = clustering.Experts;
        var mixture = ModeMixture.Write(config);

        var models = Enumerable.Range(0, n).Select(e => ($"expert_{e}", FinalCheckpoint(paths.Expert(e), config.Train.Steps))).ToList();
        models.Add(("seed", FinalCheckpoint(paths.Seed, config.SeedSteps)));
        var dense = config.Eval.Dense ?? Checkpoint.FindLatest(ModePaths.Checkpoints(paths.Dense));
        if (config.Eval.Dense is null && dense is not null && (int)Checkpoint.ReadMetadata(dense)["step"]! != config.Train.Steps)
        {
            log?.Invoke($"the dense run is not finished ({dense}): left out");
            dense = null;
        }
        if (dense is not null) models.Add(("dense", dense));

        var zeroShot = config.Eval.ZeroShot.Select(t => ModeEvalData.ZeroShot(t, config.Eval.ZeroShotLimit)).ToArray();
        var retrieval = config.Eval.Retrieval.Select(ModeEvalData.Retrieval).ToArray();
        var logits = zeroShot.Select(_ => new List<Tensor>()).ToArray();
        var similarities = retrieval.Select(_ => new List<Tensor>()).ToArray();
        var tokenizer = ClipTokenizer.Default;
        InferenceCost[]? inference = null;
        foreach (var (name, checkpoint) in models)
        {
            log?.Invoke($"evaluating {name} ({checkpoint})");
            using var model = ModeEmbedders.LoadModel(checkpoint, device);
            Tensor Tokenize(IReadOnlyList<string> texts) => tokenizer.Tokenize(texts, model.Config.Text.ContextLength);
            for (var t = 0; t < zeroShot.Length; t++)
            {
                using var scope = NewDisposeScope();
                var images = Embedder.Images(model, zeroShot[t].Images, device, config.Eval.BatchSize);                        // [N, E]
                var classifier = ZeroShotClassifier.Build(model, tokenizer, zeroShot[t].ClassNames, zeroShot[t].Templates, device).cpu(); // [E, C]
                logits[t].Add(images.matmul(classifier).MoveToOuterDisposeScope());                                          // [N, C]
            }
            for (var t = 0; t < retrieval.Length; t++)
            {
                using var scope = NewDisposeScope();
                var images = Embedder.Images(model, retrieval[t].Images, device, config.Eval.BatchSize);                      // [I, E]
                var texts = Embedder.Texts(model, retrieval[t].Captions, Tokenize, device, config.Eval.BatchSize);            // [Q, E]
                similarities[t].Add(texts.matmul(images.t()).MoveToOuterDisposeScope());                                    // [Q, I]
            }
            inference ??= zeroShot.Select(z => InferenceFlops(model, n, z, clustering.FineClusters, info.Dimension)).ToArray();
        }

        var embedder = ModeEmbedders.Create(config.Clustering.Embedder, mixture.Captions, paths, device);
        try
        {
            if (embedder.Name != info.Embedder)
                throw new InvalidDataException($"the embedder '{embedder.Name}' differs from the one that made the clustering ('{info.Embedder}'): routing must use the clustering's embedder; run `clipup mode cluster` again or restore the config");
            var cost = new ModeCost(n, config.SeedSteps, config.ExpertSteps, config.Train.Steps, CostModel.RelativeTrainingCompute(n, config.Schedule),
                zeroShot.Select((z, t) => (z.Name, inference![t])).ToDictionary(p => p.Name, p => p.Item2));
            var coarse = new ExpertClustering(clustering.CoarseCentres, clustering.CoarseCentres, TorchSharp.torch.arange(n, ScalarType.Int64), "coarse");
            return routings.Select(routing =>
            {
                var by = routing.CoarseCentres ? coarse : clustering;
                var zs = zeroShot.Select((z, t) => ZeroShotTask(z, logits[t], n, embedder, by, routing)).ToArray();
                var rt = retrieval.Select((r, t) => RetrievalTask(config.Eval.Retrieval[t].Name, r.Set, similarities[t], n, embedder, by, routing)).ToArray();
                return new ModeEvalResult(models.Select(m => m.Item1).ToArray(), cost, zs, rt);
            }).ToList();
        }
        finally
        {
            (embedder as IDisposable)?.Dispose();
            foreach (var t in logits.SelectMany(l => l).Concat(similarities.SelectMany(s => s))) t.Dispose();
        }
    }

    /// <summary>The newest checkpoint of a run, which must have reached <paramref name="step"/>.</summary>
    public static string FinalCheckpoint(string runDir, int step)
    {
        var latest = Checkpoint.FindLatest(ModePaths.Checkpoints(runDir))
            ?? throw new FileNotFoundException($"no checkpoint in {ModePaths.Checkpoints(runDir)}: train it first (`clipup mode train-all`)");
        var at = (int)Checkpoint.ReadMetadata(latest)["step"]!;
        if (at != step) throw new InvalidDataException($"{latest} is at step {at}, not the final step {step}: finish training {Path.GetFileName(runDir)} first");
        return latest;
    }

    private static ModeZeroShotResult ZeroShotTask(ZeroShotData task, List<Tensor> logits, int n, ICaptionEmbedder embedder,
        ExpertClustering clustering, ModeRoutingOptions eval)
    {
        using var scope = NewDisposeScope();
        var metadata = TaskMetadata.ClassEmbeddings(embedder, task.ClassNames, task.Templates).cpu();                     // [L, D]
        var routing = new TaskRouting(MetadataRouter.Paper(metadata, clustering, eval.Paper), MetadataRouter.Code(metadata, clustering, eval.Code));
        var scores = ModeScores.ZeroShot(logits.Take(n).ToArray(), task.Labels, routing);
        var ranks = ModeScores.ZeroShotRanks(logits.Take(n).ToArray(), task.Labels, routing, scores);
        foreach (var (l, extra) in logits.Skip(n).Zip(new[] { "seed", "dense" }))
        {
            scores[extra] = ModeScores.Accuracy(l, task.Labels);
            ranks[extra] = ZeroShotClassifier.RanksOfLogits(l, task.Labels);
        }
        var weights = new Dictionary<string, float[]> { ["paper"] = Floats(routing.Paper), ["code"] = Floats(routing.Code) };
        return new ModeZeroShotResult(task.Name, task.ClassNames.Count, task.Labels.Count, weights, MeanDistance(metadata, clustering), scores) { Ranks = ranks };
    }

    private static ModeRetrievalResult RetrievalTask(string name, RetrievalSet set, List<Tensor> sims, int n, ICaptionEmbedder embedder,
        ExpertClustering clustering, ModeRoutingOptions eval)
    {
        using var scope = NewDisposeScope();
        var captions = embedder.Embed(set.Captions).cpu();                                                              // [Q, D]
        var routing = new TaskRouting(MetadataRouter.Paper(captions, clustering, eval.Paper), MetadataRouter.Code(captions, clustering, eval.Code),
            MetadataRouter.PaperPerQuery(captions, clustering, eval.Paper), MetadataRouter.CodePerQuery(captions, clustering, eval.Code));
        var scores = ModeScores.Retrieval(sims.Take(n).ToArray(), set.CaptionToImage, routing);
        var ranks = ModeScores.RetrievalRanks(sims.Take(n).ToArray(), set.CaptionToImage, routing, scores);
        foreach (var (s, extra) in sims.Skip(n).Zip(new[] { "seed", "dense" }))
        {
            scores[extra] = ModeScores.Recall(s, s.t(), set.CaptionToImage);
            ranks[extra] = Eval.Retrieval.RanksOfScores(s, s.t(), set.CaptionToImage);
        }
        var weights = new Dictionary<string, float[]>
        {
            ["paper_image_to_text"] = Floats(routing.Paper), ["paper_text_to_image_mean"] = Floats(routing.PaperPerQuery!.mean([0])),
            ["code_image_to_text"] = Floats(routing.Code), ["code_text_to_image_mean"] = Floats(routing.CodePerQuery!.mean([0])),
        };
        return new ModeRetrievalResult(name, set.Images.Count, set.Captions.Count, weights, MeanDistance(captions, clustering), scores) { Ranks = ranks };
    }

    /// <summary>Dense vs n-expert FLOPs of one zero-shot task, encoders estimated at 2 · parameters · tokens.</summary>
    private static InferenceCost InferenceFlops(ClipModelBase model, int experts, ZeroShotData task, int fineClusters, int metadataDim)
    {
        long vision = 0, text = 0;
        foreach (var (key, p) in model.named_parameters())
        {
            if (key.StartsWith("visual.", StringComparison.Ordinal)) vision += p.numel();
            else if (key != "token_embedding.weight" && key != "positional_embedding" && key != "logit_scale") text += p.numel();
        }
        var c = model.Config;
        return CostModel.ZeroShotFlops(experts, 2.0 * vision * c.Vision.Tokens, 2.0 * text * c.Text.ContextLength, task.Labels.Count,
            task.ClassNames.Count, task.Templates.Count, c.EmbedDim, fineClusters, metadataDim);
    }

    private static double MeanDistance(Tensor metadata, ExpertClustering clustering)
    {
        using var scope = NewDisposeScope();
        return Distances.Nearest(metadata, clustering.FineCentres).SquaredDistance.clamp_min(0).sqrt().mean().item<float>();
    }

    private static float[] Floats(Tensor t) => t.to(ScalarType.Float32).cpu().data<float>().ToArray();
}
