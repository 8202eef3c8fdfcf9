using System.Text.RegularExpressions;

namespace ClipUp.Mode;

/// <summary>Options of a TF-IDF fit (scikit-learn's <c>TfidfVectorizer</c> defaults unless stated).</summary>
/// <param name="MaxFeatures">Keep the most frequent terms (by total count over the corpus; ties by first appearance), or all when null.</param>
/// <param name="MinDocumentFrequency">Drop terms found in fewer documents.</param>
/// <param name="SublinearTf">tf = 1 + ln(count) instead of count (MoDE's TF-IDF baseline clusters short captions; damping repeats helps).</param>
public sealed record TfIdfOptions(int? MaxFeatures = null, int MinDocumentFrequency = 1, bool SublinearTf = true)
{
    public void Validate()
    {
        if (MaxFeatures is < 1) throw new ArgumentException($"TF-IDF MaxFeatures {MaxFeatures} must be at least 1 (or null for all)");
        if (MinDocumentFrequency < 1) throw new ArgumentException($"TF-IDF MinDocumentFrequency {MinDocumentFrequency} must be at least 1");
    }
}

/// <summary>
/// A fitted TF-IDF vocabulary: terms, smoothed idf, and sparse L2-normalised document vectors. Words are lower-cased
/// tokens of two or more word characters (<c>\b\w\w+\b</c>, scikit-learn's pattern); idf_t = ln((1 + N)/(1 + df_t)) + 1.
/// Used by <see cref="TfIdfEmbedder"/> (the TF-IDF clustering baseline of MoDE Table 7 / Fig. 6) and by
/// <see cref="ClusterStats"/> for the top words of a cluster.
/// </summary>
public sealed partial class TfIdfVocabulary
{
    private readonly Dictionary<string, int> index;

    private TfIdfVocabulary(string[] terms, double[] idf, TfIdfOptions options)
    {
        Terms = terms;
        Idf = idf;
        Options = options;
        index = new Dictionary<string, int>(terms.Length, StringComparer.Ordinal);
        for (var i = 0; i < terms.Length; i++) index[terms[i]] = i;
    }

    /// <summary>Terms in the order of their feature index.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>idf of each term.</summary>
    public IReadOnlyList<double> Idf { get; }

    public TfIdfOptions Options { get; }

    /// <summary>Lower-cased word tokens of a text.</summary>
    public static IEnumerable<string> Tokenize(string text) =>
        WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    /// <summary>Fits terms and idf on a corpus.</summary>
    public static TfIdfVocabulary Fit(IReadOnlyList<string> corpus, TfIdfOptions? options = null)
    {
        options ??= new TfIdfOptions();
        options.Validate();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var doc in corpus)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in Tokenize(doc))
            {
                total[t] = total.GetValueOrDefault(t) + 1;
                firstSeen.TryAdd(t, firstSeen.Count);
                if (seen.Add(t)) df[t] = df.GetValueOrDefault(t) + 1;
            }
        }
        IEnumerable<string> kept = df.Where(kv => kv.Value >= options.MinDocumentFrequency).Select(kv => kv.Key);
        if (options.MaxFeatures is int max)
            kept = kept.OrderByDescending(t => total[t]).ThenBy(t => firstSeen[t]).Take(max);
        // Features in alphabetical order, like scikit-learn, so the layout does not depend on corpus order.
        var terms = kept.OrderBy(t => t, StringComparer.Ordinal).ToArray();
        var n = corpus.Count;
        var idf = terms.Select(t => Math.Log((1.0 + n) / (1.0 + df[t])) + 1.0).ToArray();
        return new TfIdfVocabulary(terms, idf, options);
    }

    /// <summary>The feature index of a term, or -1.</summary>
    public int IndexOf(string term) => index.GetValueOrDefault(term, -1);

    /// <summary>
    /// Sparse tf·idf vector of one text, L2-normalised, as (feature index, weight) sorted by index. Empty when the text has
    /// no vocabulary word.
    /// </summary>
    public IReadOnlyList<(int Feature, double Weight)> Vector(string text)
    {
        var counts = new SortedDictionary<int, int>();
        foreach (var t in Tokenize(text))
        {
            var f = IndexOf(t);
            if (f >= 0) counts[f] = counts.GetValueOrDefault(f) + 1;
        }
        var weights = counts.Select(kv => (kv.Key, (Options.SublinearTf ? 1 + Math.Log(kv.Value) : kv.Value) * Idf[kv.Key])).ToArray();
        var norm = Math.Sqrt(weights.Sum(w => w.Item2 * w.Item2));
        return weights.Select(w => (w.Key, w.Item2 / norm)).ToArray();
    }

    /// <summary>The <paramref name="k"/> terms with the largest mean tf-idf weight over the texts (ties: alphabetical).</summary>
    public IReadOnlyList<string> TopTerms(IEnumerable<string> texts, int k)
    {
        var sums = new Dictionary<int, double>();
        foreach (var text in texts)
            foreach (var (f, w) in Vector(text))
                sums[f] = sums.GetValueOrDefault(f) + w;
        return sums.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(k).Select(kv => Terms[kv.Key]).ToArray();
    }

    [GeneratedRegex(@"\b\w\w+\b")]
    private static partial Regex WordPattern();
}
