using Microsoft.Data.Analysis;

namespace ClipUp.Mode;

/// <summary>One cluster at a glance (MoDE Fig. 6 shows such samples per cluster).</summary>
/// <param name="Cluster">Cluster id.</param>
/// <param name="Size">Rows in it.</param>
/// <param name="Fraction">Size / total.</param>
/// <param name="TopWords">Terms with the largest mean TF-IDF weight over its captions (empty without a vocabulary).</param>
/// <param name="Samples">A few of its captions, drawn with the seed.</param>
public sealed record ClusterSummary(int Cluster, long Size, double Fraction, IReadOnlyList<string> TopWords, IReadOnlyList<string> Samples);

/// <summary>How uneven the cluster sizes are.</summary>
/// <param name="Min">Smallest size.</param>
/// <param name="Max">Largest size.</param>
/// <param name="MaxOverMin">Max / Min (+∞ when a cluster is empty). MoDE-2 on 400M: 230M/170M ≈ 1.35.</param>
/// <param name="CoefficientOfVariation">Population standard deviation / mean (0 for equal sizes).</param>
public sealed record ClusterImbalance(long Min, long Max, double MaxOverMin, double CoefficientOfVariation);

/// <summary>Sizes, imbalance, top words and sample captions of a clustering, as records or as a DataFrame for notebooks.</summary>
public static class ClusterStats
{
    /// <summary>Rows per cluster id 0..clusters−1.</summary>
    public static long[] Sizes(IReadOnlyList<int> labels, int clusters)
    {
        var sizes = new long[clusters];
        foreach (var l in labels)
        {
            if (l < 0 || l >= clusters) throw new ArgumentException($"label {l} is outside [0, {clusters})");
            sizes[l]++;
        }
        return sizes;
    }

    public static ClusterImbalance Imbalance(IReadOnlyList<long> sizes)
    {
        if (sizes.Count == 0) throw new ArgumentException("imbalance needs at least one cluster size");
        var (min, max) = (sizes.Min(), sizes.Max());
        var mean = sizes.Average();
        var std = Math.Sqrt(sizes.Sum(s => (s - mean) * (s - mean)) / sizes.Count);
        return new ClusterImbalance(min, max, min == 0 ? double.PositiveInfinity : (double)max / min, mean == 0 ? 0 : std / mean);
    }

    /// <summary>
    /// A summary per cluster: size, fraction, the <paramref name="topWords"/> highest mean-TF-IDF terms (when a
    /// vocabulary is given) and <paramref name="samples"/> captions drawn without replacement by a seeded shuffle.
    /// </summary>
    public static IReadOnlyList<ClusterSummary> Summarise(IReadOnlyList<int> labels, int clusters, IReadOnlyList<string> captions,
        TfIdfVocabulary? vocabulary = null, int topWords = 8, int samples = 5, int seed = 0)
    {
        if (labels.Count != captions.Count) throw new ArgumentException($"{labels.Count} labels for {captions.Count} captions: pass one label per caption");
        var sizes = Sizes(labels, clusters);
        var members = Enumerable.Range(0, clusters).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < labels.Count; i++) members[labels[i]].Add(i);
        var rng = new Random(seed);
        return Enumerable.Range(0, clusters).Select(c =>
        {
            var rows = members[c];
            var texts = rows.Select(i => captions[i]);
            var words = vocabulary?.TopTerms(texts, topWords) ?? [];
            var picks = rows.OrderBy(_ => rng.Next()).Take(samples).Order().Select(i => captions[i]).ToArray();
            return new ClusterSummary(c, sizes[c], labels.Count == 0 ? 0 : (double)sizes[c] / labels.Count, words, picks);
        }).ToArray();
    }

    /// <summary>Columns cluster, size, fraction, top_words (comma-joined), samples (" | "-joined).</summary>
    public static DataFrame ToDataFrame(IReadOnlyList<ClusterSummary> summaries) => new(
        new Int32DataFrameColumn("cluster", summaries.Select(s => s.Cluster)),
        new Int64DataFrameColumn("size", summaries.Select(s => s.Size)),
        new DoubleDataFrameColumn("fraction", summaries.Select(s => s.Fraction)),
        new StringDataFrameColumn("top_words", summaries.Select(s => string.Join(", ", s.TopWords))),
        new StringDataFrameColumn("samples", summaries.Select(s => string.Join(" | ", s.Samples))));
}
