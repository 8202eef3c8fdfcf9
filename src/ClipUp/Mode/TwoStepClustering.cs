using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>
/// Options of MoDE's two-step clustering (mode.md §1): a fine k-means into m clusters over the caption embeddings, then
/// a k-means of the m fine centres into n experts.
/// </summary>
/// <param name="Fine">Fine step: the reference uses m = 1024, balanced, 50 iterations per file, online.</param>
/// <param name="Coarse">Coarse step: the reference uses n experts, balanced, 100 iterations, one batch.</param>
public sealed record TwoStepOptions(KMeansOptions Fine, KMeansOptions Coarse)
{
    /// <summary>The paper's setting: m = 1024 balanced fine clusters, n experts.</summary>
    public static TwoStepOptions Paper(int experts) => new(new KMeansOptions(1024), new KMeansOptions(experts, MaxIterations: 100));

    /// <summary>
    /// Scaled to a small data set: m = min(1024, rows/30) (about 30 captions per fine cluster at least), but at least
    /// 2n so every expert gets several fine clusters. Flickr8k's 30k captions give m = 1000.
    /// </summary>
    public static TwoStepOptions ForRows(long rows, int experts) =>
        new(new KMeansOptions(DefaultFineClusters(rows, experts)), new KMeansOptions(experts, MaxIterations: 100));

    /// <summary>m = max(2n, min(1024, ⌊rows/30⌋)).</summary>
    public static int DefaultFineClusters(long rows, int experts) => (int)Math.Max(2L * experts, Math.Min(1024L, rows / 30));

    public void Validate()
    {
        Fine.Validate();
        Coarse.Validate();
        if (Coarse.Clusters > Fine.Clusters)
            throw new ArgumentException($"{Coarse.Clusters} experts exceed {Fine.Clusters} fine clusters: set Fine.Clusters >= Coarse.Clusters");
    }
}

/// <summary>
/// MoDE's two-step clustering (Ma et al. 2024 §3.1, <c>prep_hrchy.py</c>). Axes: N captions, m fine clusters, n experts,
/// D embedding width.
/// </summary>
public static class TwoStepClustering
{
    /// <summary>
    /// Fine: online balanced k-means over the batches (init from the first). Coarse: k-means of the m fine centres into n.
    /// Map: each fine centre → nearest coarse centre, a plain argmin and NOT balanced, as the reference's
    /// <c>kmeans.predict</c> (<c>balanced=False</c>) does — so experts can differ in size (the paper reports 170M/230M).
    /// </summary>
    /// <param name="batches">L2-normalised embeddings [N_b, D], e.g. from <see cref="EmbeddingFile.ReadBatches"/>.</param>
    /// <param name="device">Where to run (default: each batch's own device). The result lives on the CPU.</param>
    public static ExpertClustering Fit(IEnumerable<Tensor> batches, TwoStepOptions options, Generator generator, Device? device = null)
    {
        options.Validate();
        using var scope = NewDisposeScope();
        var fine = BalancedKMeans.FitOnline(batches, options.Fine, generator, device).Centres;   // [m, D]
        var coarse = BalancedKMeans.Fit(fine, options.Coarse, generator).Centres;               // [n, D]
        var map = Distances.Nearest(fine, coarse).Index;                                        // [m]
        var result = new ExpertClustering(fine.cpu().MoveToOuterDisposeScope(), coarse.cpu().MoveToOuterDisposeScope(),
            map.cpu().MoveToOuterDisposeScope(), "two-step");
        result.Validate();
        return result;
    }

    /// <summary>
    /// The OneStep-n ablation (Table 6): a single k-means straight into n experts (m = n), every cluster its own expert.
    /// </summary>
    public static ExpertClustering FitOneStep(IEnumerable<Tensor> batches, KMeansOptions options, Generator generator, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var centres = BalancedKMeans.FitOnline(batches, options, generator, device).Centres.cpu();
        var result = new ExpertClustering(centres.clone().MoveToOuterDisposeScope(), centres.MoveToOuterDisposeScope(),
            arange(options.Clusters, ScalarType.Int64).MoveToOuterDisposeScope(), "one-step");
        result.Validate();
        return result;
    }

    /// <summary>
    /// The Random-n control (Table 5): a random split of the rows into experts with prescribed sizes (the paper matches
    /// MoDE's cluster sizes), or equal sizes (the first N mod n experts one larger) when <paramref name="sizes"/> is null.
    /// Returns the expert of each row.
    /// </summary>
    public static int[] RandomSplit(int rows, int experts, Generator generator, IReadOnlyList<int>? sizes = null)
    {
        if (experts < 1) throw new ArgumentOutOfRangeException(nameof(experts), $"experts {experts} must be at least 1");
        sizes ??= Enumerable.Range(0, experts).Select(e => rows / experts + (e < rows % experts ? 1 : 0)).ToArray();
        if (sizes.Count != experts || sizes.Sum() != rows || sizes.Any(s => s < 0))
            throw new ArgumentException($"sizes must be {experts} non-negative counts summing to {rows}, got [{string.Join(", ", sizes)}]");
        using var perm = randperm(rows, generator: generator);
        var order = perm.data<long>().ToArray();
        var labels = new int[rows];
        var next = 0;
        for (var e = 0; e < experts; e++)
            for (var i = 0; i < sizes[e]; i++) labels[order[next++]] = e;
        return labels;
    }
}
