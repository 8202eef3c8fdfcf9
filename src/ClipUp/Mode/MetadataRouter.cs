using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>
/// The paper's routing (Ma et al. 2024 Eqs. 5–6 + App. E): A_{l,s} = exp(−‖e_l − e_s‖²/λ) to the nearest fine centre
/// only, p(c|T) ∝ exp(Σ_l Σ_{s∈S_c} A_{l,s}).
/// </summary>
/// <param name="Lambda">λ = 0.2, chosen by cross-validation in the paper.</param>
/// <param name="ClassCountHeuristics">|L| &lt; 10: A ×= exp(0.5 − √|L|); |L| &gt; 200: λ /= ln|L|.</param>
public sealed record PaperRouting(double Lambda = 0.2, bool ClassCountHeuristics = true)
{
    public void Validate()
    {
        if (!(Lambda > 0)) throw new ArgumentException($"routing Lambda {Lambda} must be positive");
    }
}

/// <summary>
/// The released code's routing (<c>post_report_ensemble.py</c>, mode.md §3), what produced the paper's numbers:
/// non-squared distance d_l to the nearest fine centre, a = exp(0.5 − √|L|) if |L| &lt; 10 else 0,
/// β = SmoothWeight·log10(max(10, |L| − TooManyClasses)), score_c = Σ_{l→c} exp((a − d_l)·β), w = softmax(score/Temperature).
/// </summary>
/// <param name="SmoothWeight">smooth_weight[0] = 5.</param>
/// <param name="Temperature">smooth_weight[1] = 8, the extra softmax temperature not in the paper.</param>
/// <param name="TooManyClasses">too_many_class = 200.</param>
public sealed record CodeRouting(double SmoothWeight = 5.0, double Temperature = 8.0, int TooManyClasses = 200)
{
    public void Validate()
    {
        if (!(SmoothWeight > 0)) throw new ArgumentException($"routing SmoothWeight {SmoothWeight} must be positive");
        if (!(Temperature > 0)) throw new ArgumentException($"routing Temperature {Temperature} must be positive");
    }
}

/// <summary>
/// Inference-time task adaptation (Eq. 4): routing weights p(c|T) over n experts from task metadata (class-name
/// embeddings, <see cref="TaskMetadata"/>) and the fine centres. Each class is hard-routed to the expert owning its
/// nearest fine centre (the paper's row-wise max filter; the code's <c>coarse_assign[argmin]</c>), so only that centre
/// counts. Axes: L metadata items, m centres, n experts, Q queries. Weights are float32 on the CPU and sum to 1.
/// Pass coarse centres with an identity map for the CoarseCluster ablation (Table 6).
/// </summary>
public static class MetadataRouter
{
    /// <summary>Paper formula: weights [n] for one task with metadata [L, D].</summary>
    public static Tensor Paper(Tensor metadata, ExpertClustering clustering, PaperRouting? options = null) =>
        Paper(metadata, clustering.FineCentres, clustering.FineToExpert, clustering.Experts, options);

    /// <inheritdoc cref="Paper(Tensor, ExpertClustering, PaperRouting)"/>
    public static Tensor Paper(Tensor metadata, Tensor centres, Tensor centreToExpert, int experts, PaperRouting? options = null)
    {
        options ??= new PaperRouting();
        options.Validate();
        var (d2, expert) = Nearest(metadata, centres, centreToExpert);
        return PerExpert(PaperAffinity(d2, d2.Length, options), expert, experts, 1.0);
    }

    /// <summary>Released-code formula: weights [n] for one task with metadata [L, D].</summary>
    public static Tensor Code(Tensor metadata, ExpertClustering clustering, CodeRouting? options = null) =>
        Code(metadata, clustering.FineCentres, clustering.FineToExpert, clustering.Experts, options);

    /// <inheritdoc cref="Code(Tensor, ExpertClustering, CodeRouting)"/>
    public static Tensor Code(Tensor metadata, Tensor centres, Tensor centreToExpert, int experts, CodeRouting? options = null)
    {
        options ??= new CodeRouting();
        options.Validate();
        var (d2, expert) = Nearest(metadata, centres, centreToExpert);
        return PerExpert(CodeAffinity(d2, d2.Length, options), expert, experts, options.Temperature);
    }

    /// <summary>
    /// Per-query weights [Q, n] for text→image retrieval (Eq. 7): each query text is its own task with |L| = 1.
    /// </summary>
    public static Tensor PaperPerQuery(Tensor queries, ExpertClustering clustering, PaperRouting? options = null)
    {
        options ??= new PaperRouting();
        options.Validate();
        var (d2, expert) = Nearest(queries, clustering.FineCentres, clustering.FineToExpert);
        return PerQuery(expert, PaperAffinity(d2, 1, options), clustering.Experts, 1.0);
    }

    /// <inheritdoc cref="PaperPerQuery"/>
    public static Tensor CodePerQuery(Tensor queries, ExpertClustering clustering, CodeRouting? options = null)
    {
        options ??= new CodeRouting();
        options.Validate();
        var (d2, expert) = Nearest(queries, clustering.FineCentres, clustering.FineToExpert);
        return PerQuery(expert, CodeAffinity(d2, 1, options), clustering.Experts, options.Temperature);
    }

    /// <summary>Control: 1/n for every expert (the code's <c>all_unit</c>).</summary>
    public static Tensor Uniform(int experts) => full(experts, 1f / experts);

    /// <summary>Control: all weight on the argmax of some routing weights (lowest index on ties).</summary>
    public static Tensor SingleBest(Tensor weights) => OneHot(weights.argmax().item<long>(), (int)weights.shape[0]);

    /// <summary>Control: all weight on the expert with the best given score, e.g. its accuracy on the task (the code's <c>expert-max</c>).</summary>
    public static Tensor Oracle(IReadOnlyList<double> perExpertScores)
    {
        var best = 0;
        for (var c = 1; c < perExpertScores.Count; c++) if (perExpertScores[c] > perExpertScores[best]) best = c;
        return OneHot(best, perExpertScores.Count);
    }

    /// <summary>Paper affinity of each item to its nearest centre, with the |L| heuristics.</summary>
    private static double[] PaperAffinity(double[] d2, int classes, PaperRouting o)
    {
        var lambda = o.ClassCountHeuristics && classes > 200 ? o.Lambda / Math.Log(classes) : o.Lambda;
        var soften = o.ClassCountHeuristics && classes < 10 ? Math.Exp(0.5 - Math.Sqrt(classes)) : 1.0;
        return d2.Select(v => soften * Math.Exp(-v / lambda)).ToArray();
    }

    /// <summary>Released-code affinity exp((a − d)·β) with d the non-squared distance.</summary>
    private static double[] CodeAffinity(double[] d2, int classes, CodeRouting o)
    {
        var add = classes < 10 ? Math.Exp(0.5 - Math.Sqrt(classes)) : 0.0;
        var beta = o.SmoothWeight * Math.Log10(Math.Max(10, classes - o.TooManyClasses));
        return d2.Select(v => Math.Exp((add - Math.Sqrt(v)) * beta)).ToArray();
    }

    private static (double[] SquaredDistance, int[] Expert) Nearest(Tensor metadata, Tensor centres, Tensor centreToExpert)
    {
        if (metadata.dim() != 2 || metadata.shape[0] == 0)
            throw new ArgumentException($"metadata must be [L, D] with L ≥ 1, got [{string.Join(", ", metadata.shape)}]");
        using var scope = NewDisposeScope();
        var d2 = Distances.SquaredEuclidean(metadata.to(ScalarType.Float64).cpu(), centres.to(ScalarType.Float64).cpu());  // [L, m]
        var (min, arg) = d2.min(1);
        var map = centreToExpert.cpu().data<long>().ToArray();
        return (min.data<double>().ToArray(), arg.data<long>().Select(s => (int)map[s]).ToArray());
    }

    private static Tensor PerQuery(int[] expert, double[] affinity, int experts, double temperature)
    {
        var weights = new float[expert.Length * experts];
        for (var q = 0; q < expert.Length; q++)
        {
            var scores = new double[experts];
            scores[expert[q]] = affinity[q];
            var w = SoftmaxValues(scores, temperature);
            for (var c = 0; c < experts; c++) weights[q * experts + c] = (float)w[c];
        }
        return tensor(weights, [expert.Length, experts]);
    }

    /// <summary>Sums each metadata item's affinity into its nearest centre's expert, then softmax at <paramref name="temperature"/>.</summary>
    private static Tensor PerExpert(double[] affinity, int[] expert, int experts, double temperature)
    {
        var scores = new double[experts];
        for (var l = 0; l < affinity.Length; l++) scores[expert[l]] += affinity[l];
        return Softmax(scores, temperature);
    }

    private static Tensor Softmax(double[] scores, double temperature) =>
        tensor(SoftmaxValues(scores, temperature).Select(v => (float)v).ToArray());

    private static double[] SoftmaxValues(double[] scores, double temperature)
    {
        var max = scores.Max();
        var e = scores.Select(s => Math.Exp((s - max) / temperature)).ToArray();
        var sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    private static Tensor OneHot(long index, int experts)
    {
        var w = new float[experts];
        w[index] = 1;
        return tensor(w);
    }
}
