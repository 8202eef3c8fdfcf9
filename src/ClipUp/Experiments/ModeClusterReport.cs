using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ClipUp.Io;
using ClipUp.Mode;

namespace ClipUp.Experiments;

/// <summary>One expert's data at a glance.</summary>
/// <param name="Domains">Rows per domain (table) in this expert, in table order.</param>
/// <param name="TopWords">Terms with the largest mean TF-IDF weight over its captions.</param>
public sealed record ModeExpertSummary(int Expert, long Rows, double Fraction, int FineClusters, IReadOnlyDictionary<string, long> Domains,
    IReadOnlyList<string> TopWords, IReadOnlyList<string> Samples);

/// <summary>
/// Do the clusters find the domains? Sizes and imbalance of the experts (MoDE-2 on 400M: 230M/170M), the adjusted Rand
/// index between domain and expert labels (1 = the experts are exactly the domains, ≈0 = unrelated), the purity of
/// experts and of fine clusters (fraction of rows in their cluster's majority domain), and per expert its domain mix,
/// top words and sample captions (the paper's Fig. 6).
/// </summary>
public sealed record ModeClusterReport(string Embedder, int Experts, int FineClusters, long Rows, ClusterImbalance Imbalance,
    double DomainAdjustedRandIndex, double ExpertPurity, double FinePurity, IReadOnlyList<ModeExpertSummary> ExpertSummaries)
{
    /// <summary>Builds the report from the row assignment and the mixture.</summary>
    public static ModeClusterReport Build(ShardAssignment assignment, ExpertClustering clustering, ModeMixture mixture, string embedder,
        int topWords = 10, int samples = 5, int seed = 0)
    {
        var n = clustering.Experts;
        var domainNames = mixture.DomainNames;
        var domainIndex = domainNames.Select((d, i) => (d, i)).ToDictionary(p => p.d, p => p.i);
        var domainOfRow = mixture.Domains.Select(d => domainIndex[d]).ToArray();
        var vocabulary = TfIdfVocabulary.Fit(mixture.Captions);
        var summaries = ClusterStats.Summarise(assignment.Expert, n, mixture.Captions, vocabulary, topWords, samples, seed);
        var experts = summaries.Select(s =>
        {
            var counts = domainNames.ToDictionary(d => d, _ => 0L);
            for (var i = 0; i < assignment.Expert.Length; i++)
                if (assignment.Expert[i] == s.Cluster) counts[mixture.Domains[i]]++;
            return new ModeExpertSummary(s.Cluster, s.Size, s.Fraction, clustering.FineClustersOf(s.Cluster).Count, counts, s.TopWords, s.Samples);
        }).ToArray();
        return new ModeClusterReport(embedder, n, clustering.FineClusters, mixture.Rows,
            ClusterStats.Imbalance(summaries.Select(s => s.Size).ToArray()),
            ClusteringMetrics.AdjustedRandIndex(domainOfRow, assignment.Expert),
            Purity(assignment.Expert, domainOfRow), Purity(assignment.Fine, domainOfRow), experts);
    }

    /// <summary>Σ over clusters of its majority-domain count, over all rows (1 = every cluster holds one domain).</summary>
    public static double Purity(IReadOnlyList<int> cluster, IReadOnlyList<int> domain)
    {
        if (cluster.Count == 0) return 1;
        var majority = cluster.Zip(domain).GroupBy(p => p.First).Sum(g => g.GroupBy(p => p.Second).Max(d => d.Count()));
        return (double)majority / cluster.Count;
    }

    /// <summary>JSON with snake_case keys; an infinite max/min ratio (an empty expert) is written as null.</summary>
    public JsonObject ToJson()
    {
        var json = System.Text.Json.JsonSerializer.SerializeToNode(this with { Imbalance = Imbalance with { MaxOverMin = 0 } }, JsonConfig.Options)!.AsObject();
        json["imbalance"]!["max_over_min"] = double.IsFinite(Imbalance.MaxOverMin) ? Imbalance.MaxOverMin : null;
        return json;
    }

    /// <summary>A Markdown page: summary line, one table row per expert, then sample captions.</summary>
    public string ToMarkdown()
    {
        static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');
        var md = new StringBuilder();
        md.AppendLine($"# MoDE clusters: {Experts} experts from {FineClusters} fine clusters of {Rows} captions");
        md.AppendLine();
        md.AppendLine($"Embedder `{Embedder}`. Domain ARI {F(DomainAdjustedRandIndex)} (1 = the experts are the domains), " +
                      $"expert purity {F(ExpertPurity)}, fine-cluster purity {F(FinePurity)}, " +
                      $"sizes {Imbalance.Min}–{Imbalance.Max} (max/min {(double.IsFinite(Imbalance.MaxOverMin) ? F(Imbalance.MaxOverMin) : "∞")}).");
        md.AppendLine();
        md.AppendLine("| expert | rows | share | fine clusters | domains | top words |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var e in ExpertSummaries)
            md.AppendLine($"| {e.Expert} | {e.Rows} | {F(e.Fraction * 100)}% | {e.FineClusters} | " +
                          $"{Cell(string.Join(", ", e.Domains.Select(d => $"{d.Key} {d.Value}")))} | {Cell(string.Join(", ", e.TopWords))} |");
        foreach (var e in ExpertSummaries)
        {
            md.AppendLine();
            md.AppendLine($"## Expert {e.Expert}");
            foreach (var s in e.Samples) md.AppendLine($"- {Cell(s)}");
        }
        return md.ToString();
    }
}
