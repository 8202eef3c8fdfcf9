using ClipUp.Mode;

namespace ClipUp.Experiments;

/// <summary>
/// Where a MoDE pipeline keeps its artefacts under <c>out</c>:
/// <code>
/// mixture.tsv              every table's rows, image paths made absolute, plus a domain column (what TrainRun reads)
/// embeddings/*.emb         caption embeddings (EmbeddingCache, keyed by embedder and captions)
/// clustering.bin           fine centres, coarse centres, fine→expert map (ExpertClustering.Save)
/// clustering.json          how it was made: embedder, m, n, rows, mixture hash
/// shards/expert_NN.tsv     each expert's rows of mixture.tsv (ExpertShards.WriteManifests)
/// clusters.json, .md       sizes, top words, samples and domain mix per expert (do the clusters find the domains?)
/// seed/                    the dense seed run (TrainRun: checkpoints/, metrics.jsonl, results.json); under
///                          <c>shared</c> when given, so pipelines that differ only in clustering share one seed
/// experts/expert_NN/       each expert's continuation of the seed
/// dense/                   the seed continued on all rows to the full budget (baseline); under <c>shared</c> when given
/// eval.json                routed / uniform / single-best / oracle / dense results, routing weights, cost
/// </code>
/// </summary>
/// <param name="Shared">Folder of the seed and dense runs (default <paramref name="Out"/>): <see cref="ModeConfig.SharedRuns"/>.</param>
public sealed record ModePaths(string Out, string? Shared = null)
{
    public string Mixture => Path.Combine(Out, "mixture.tsv");
    public string Embeddings => Path.Combine(Out, "embeddings");
    public string Clustering => Path.Combine(Out, "clustering.bin");
    public string ClusteringInfo => Path.Combine(Out, "clustering.json");
    public string Shards => Path.Combine(Out, "shards");
    public string ClustersJson => Path.Combine(Out, "clusters.json");
    public string ClustersMarkdown => Path.Combine(Out, "clusters.md");
    public string Seed => Path.Combine(Shared ?? Out, "seed");
    public string Dense => Path.Combine(Shared ?? Out, "dense");
    public string EvalJson => Path.Combine(Out, "eval.json");

    public string Expert(int expert) => Path.Combine(Out, "experts", $"expert_{expert:D2}");

    public string Shard(int expert) => Path.Combine(Shards, ExpertShards.ManifestName(expert));

    public static string Checkpoints(string runDir) => Path.Combine(runDir, "checkpoints");
}
