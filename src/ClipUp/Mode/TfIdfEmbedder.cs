using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>How sparse TF-IDF vectors become dense D-wide rows.</summary>
public enum TfIdfProjection
{
    /// <summary>The D most frequent terms are the features (scikit-learn <c>max_features</c> = D); exact, words outside are dropped.</summary>
    TopVocabulary,
    /// <summary>
    /// Signed feature hashing (Weinberger et al. 2009): term t adds ±w_t to column FNV-1a(t) mod D, sign from bit 31 of
    /// the hash; keeps every word, with collisions, and inner products are preserved in expectation.
    /// </summary>
    Hashing,
}

/// <summary>
/// TF-IDF caption embeddings — the surface-word baseline of MoDE Table 7 and Fig. 6 ("Star Wars" with "All Star"
/// sneakers). Rows are L2-normalised after projection; a caption with no vocabulary word is an all-zero row.
/// </summary>
public sealed class TfIdfEmbedder : ICaptionEmbedder
{
    private readonly int[] column;
    private readonly float[] sign;
    private readonly Device device;

    private TfIdfEmbedder(TfIdfVocabulary vocabulary, TfIdfProjection projection, int dimension, Device device)
    {
        Vocabulary = vocabulary;
        Projection = projection;
        Dimension = dimension;
        this.device = device;
        column = new int[vocabulary.Terms.Count];
        sign = new float[vocabulary.Terms.Count];
        for (var f = 0; f < column.Length; f++)
        {
            if (projection == TfIdfProjection.TopVocabulary) { column[f] = f; sign[f] = 1; continue; }
            var h = Fnv1a(vocabulary.Terms[f]);
            column[f] = (int)(h % (uint)dimension);
            sign[f] = (h & 0x8000_0000u) == 0 ? 1 : -1;
        }
        Name = $"tfidf:{projection}:{dimension}:{Fingerprint(vocabulary)}";
    }

    public TfIdfVocabulary Vocabulary { get; }

    public TfIdfProjection Projection { get; }

    public string Name { get; }

    public int Dimension { get; }

    /// <summary>
    /// Fits on a corpus. TopVocabulary: the vocabulary is capped at <paramref name="dimension"/> terms (Dimension may be
    /// smaller if the corpus has fewer words). Hashing: the whole vocabulary (or options.MaxFeatures) hashed into
    /// <paramref name="dimension"/> columns.
    /// </summary>
    public static TfIdfEmbedder Fit(IReadOnlyList<string> corpus, int dimension, TfIdfProjection projection = TfIdfProjection.TopVocabulary,
        TfIdfOptions? options = null, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        options ??= new TfIdfOptions();
        if (projection == TfIdfProjection.TopVocabulary)
            options = options with { MaxFeatures = Math.Min(options.MaxFeatures ?? dimension, dimension) };
        var vocabulary = TfIdfVocabulary.Fit(corpus, options);
        var width = projection == TfIdfProjection.TopVocabulary ? Math.Max(1, vocabulary.Terms.Count) : dimension;
        return new TfIdfEmbedder(vocabulary, projection, width, device ?? CPU);
    }

    public Tensor Embed(IReadOnlyList<string> captions)
    {
        var dense = new float[captions.Count * Dimension];
        for (var i = 0; i < captions.Count; i++)
        {
            var row = dense.AsSpan(i * Dimension, Dimension);
            foreach (var (f, w) in Vocabulary.Vector(captions[i])) row[column[f]] += sign[f] * (float)w;
            var norm = 0.0;
            foreach (var v in row) norm += v * v;
            if (norm > 0) { var inv = (float)(1 / Math.Sqrt(norm)); for (var j = 0; j < row.Length; j++) row[j] *= inv; }
        }
        return tensor(dense, [captions.Count, Dimension], device: device);
    }

    private static uint Fnv1a(string term)
    {
        var h = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(term)) { h ^= b; h *= 16777619u; }
        return h;
    }

    private static string Fingerprint(TfIdfVocabulary v)
    {
        var text = string.Join('\n', v.Terms.Select((t, i) => $"{t}\t{v.Idf[i]:R}")) + $"\n{v.Options}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }
}
