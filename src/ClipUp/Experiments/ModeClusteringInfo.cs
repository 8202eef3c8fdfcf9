using ClipUp.Io;

namespace ClipUp.Experiments;

/// <summary>How a clustering was made (clustering.json): refuses shards of another mixture or embedder.</summary>
public sealed record ModeClusteringInfo(string EmbedderSpec, string Embedder, string EmbeddingFile, long Rows, int Dimension, int FineClusters,
    int Experts, string Method, string MixtureSha256, long Seed)
{
    public static ModeClusteringInfo Read(ModePaths paths)
    {
        if (!File.Exists(paths.ClusteringInfo)) throw new FileNotFoundException($"{paths.ClusteringInfo} not found: run `clipup mode cluster` first", paths.ClusteringInfo);
        return JsonConfig.Load<ModeClusteringInfo>(paths.ClusteringInfo);
    }

    /// <summary>Whether the config still asks for this clustering (embedder, n, m unless automatic, k-means seed).</summary>
    public bool Matches(ModeClusteringConfig c) => c.Embedder == EmbedderSpec && c.Experts == Experts && c.Seed == Seed
        && (c.FineClusters == 0 || c.FineClusters == FineClusters);

    /// <summary>Throws when the config asks for another clustering than the one on disk.</summary>
    public void RequireConfig(ModeClusteringConfig c)
    {
        if (!Matches(c))
            throw new InvalidDataException($"the clustering on disk ({EmbedderSpec}, m = {FineClusters}, n = {Experts}, seed {Seed}) is not the one the config asks for ({c.Embedder}, m = {(c.FineClusters == 0 ? "auto" : c.FineClusters)}, n = {c.Experts}, seed {c.Seed}): run `clipup mode cluster` and `assign` again");
    }

    /// <summary>Throws when the mixture changed since this clustering was made.</summary>
    public void RequireMixture(ModeMixture mixture)
    {
        if (mixture.Sha256 != MixtureSha256 || mixture.Rows != Rows)
            throw new InvalidDataException($"the mixture ({mixture.Rows} rows, sha256 {mixture.Sha256[..12]}) differs from the one clustered ({Rows} rows, {MixtureSha256[..12]}): run `clipup mode embed`, `cluster` and `assign` again");
    }
}
