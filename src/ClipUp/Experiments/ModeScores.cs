using ClipUp.Eval;
using ClipUp.Mode;
using static TorchSharp.torch;

namespace ClipUp.Experiments;

/// <summary>Routing weights of one task under both formulas (the paper's Eqs. 5–6 and the released code's).</summary>
/// <param name="Paper">[n] weights of the whole task (zero-shot: class names; retrieval: the caption collection, for image→text).</param>
/// <param name="Code">[n], likewise.</param>
/// <param name="PaperPerQuery">Retrieval only: per-caption weights [Q, n] for text→image (Eq. 7); null for zero-shot.</param>
/// <param name="CodePerQuery">Retrieval only, likewise.</param>
public sealed record TaskRouting(Tensor Paper, Tensor Code, Tensor? PaperPerQuery = null, Tensor? CodePerQuery = null);

/// <summary>
/// Scores of the MoDE ensembles on one task from per-model outputs: each expert alone, the metadata-routed ensemble
/// with either formula, the uniform average (the code's <c>all_unit</c>), the single expert the routing ranks first, and
/// the oracle (the expert that scores best on the task, the code's <c>expert-max</c>). Axes: n experts, N images,
/// C classes, Q captions.
/// </summary>
public static class ModeScores
{
    /// <summary>
    /// Zero-shot scores keyed expert_i, routed_paper, routed_code, uniform, single_best_paper, single_best_code, oracle.
    /// </summary>
    /// <param name="expertLogits">[N, C] cosine logits per expert (normalised image embeddings · normalised class weights).</param>
    public static Dictionary<string, ZeroShotMetrics> ZeroShot(IReadOnlyList<Tensor> expertLogits, IReadOnlyList<int> labels, TaskRouting routing)
    {
        var n = expertLogits.Count;
        var scores = new Dictionary<string, ZeroShotMetrics>();
        for (var c = 0; c < n; c++) scores[$"expert_{c}"] = Accuracy(expertLogits[c], labels);
        ZeroShotMetrics With(Tensor w) { using var logits = Ensemble.ZeroShot(expertLogits, w); return Accuracy(logits, labels); }
        scores["routed_paper"] = With(routing.Paper);
        scores["routed_code"] = With(routing.Code);
        using (var uniform = MetadataRouter.Uniform(n)) scores["uniform"] = With(uniform);
        foreach (var (alias, expert) in AliasExperts(routing, Enumerable.Range(0, n).Select(c => scores[$"expert_{c}"].Top1).ToArray()))
            scores[alias] = scores[$"expert_{expert}"];
        return scores;
    }

    /// <summary>
    /// Every image's rank of its true class (0 = correct top-1) under each method of <see cref="ZeroShot"/>, with the same
    /// keys: the evaluation items a claim's confidence interval resamples (Stats.PairedBootstrap). The single-best and
    /// oracle entries are the experts <paramref name="scores"/> chose, so items and scores describe the same models.
    /// </summary>
    /// <param name="scores">What <see cref="ZeroShot"/> returned for the same logits, labels and routing.</param>
    public static Dictionary<string, int[]> ZeroShotRanks(IReadOnlyList<Tensor> expertLogits, IReadOnlyList<int> labels, TaskRouting routing,
        IReadOnlyDictionary<string, ZeroShotMetrics> scores)
    {
        var n = expertLogits.Count;
        var ranks = new Dictionary<string, int[]>();
        for (var c = 0; c < n; c++) ranks[$"expert_{c}"] = ZeroShotClassifier.RanksOfLogits(expertLogits[c], labels);
        int[] With(Tensor w) { using var logits = Ensemble.ZeroShot(expertLogits, w); return ZeroShotClassifier.RanksOfLogits(logits, labels); }
        ranks["routed_paper"] = With(routing.Paper);
        ranks["routed_code"] = With(routing.Code);
        using (var uniform = MetadataRouter.Uniform(n)) ranks["uniform"] = With(uniform);
        foreach (var (alias, expert) in AliasExperts(routing, Enumerable.Range(0, n).Select(c => scores[$"expert_{c}"].Top1).ToArray()))
            ranks[alias] = ranks[$"expert_{expert}"];
        return ranks;
    }

    /// <summary>
    /// Retrieval scores with the same keys. Image→text combines with the collection weights [n]; text→image with the
    /// per-query weights [Q, n] (Eq. 7); single-best follows the collection weights.
    /// </summary>
    /// <param name="expertSimilarities">[Q, I] caption·image cosine similarities per expert.</param>
    public static Dictionary<string, RetrievalMetrics> Retrieval(IReadOnlyList<Tensor> expertSimilarities, IReadOnlyList<int> captionToImage, TaskRouting routing)
    {
        if (routing.PaperPerQuery is null || routing.CodePerQuery is null)
            throw new ArgumentException("retrieval routing needs per-query weights for text→image (Eq. 7)");
        var n = expertSimilarities.Count;
        var scores = new Dictionary<string, RetrievalMetrics>();
        var transposed = expertSimilarities.Select(s => s.t()).ToArray();                                 // [I, Q] each
        for (var c = 0; c < n; c++) scores[$"expert_{c}"] = Recall(expertSimilarities[c], transposed[c], captionToImage);
        RetrievalMetrics With(Tensor collection, Tensor perQuery)
        {
            using var scope = NewDisposeScope();
            return Recall(Ensemble.TextToImage(expertSimilarities, perQuery), Ensemble.ImageToText(transposed, collection), captionToImage);
        }
        scores["routed_paper"] = With(routing.Paper, routing.PaperPerQuery);
        scores["routed_code"] = With(routing.Code, routing.CodePerQuery);
        using (var uniform = MetadataRouter.Uniform(n))
        using (var perQuery = uniform.unsqueeze(0).expand(expertSimilarities[0].shape[0], n))
            scores["uniform"] = With(uniform, perQuery);
        foreach (var (alias, expert) in AliasExperts(routing, Enumerable.Range(0, n).Select(c => scores[$"expert_{c}"].Mean).ToArray()))
            scores[alias] = scores[$"expert_{expert}"];
        return scores;
    }

    /// <summary>
    /// Every query's rank of its match in both directions under each method of <see cref="Retrieval"/>, with the same keys
    /// and the same combination rules; single-best and oracle follow <paramref name="scores"/>.
    /// </summary>
    public static Dictionary<string, RetrievalRanks> RetrievalRanks(IReadOnlyList<Tensor> expertSimilarities, IReadOnlyList<int> captionToImage,
        TaskRouting routing, IReadOnlyDictionary<string, RetrievalMetrics> scores)
    {
        if (routing.PaperPerQuery is null || routing.CodePerQuery is null)
            throw new ArgumentException("retrieval routing needs per-query weights for text→image (Eq. 7)");
        var n = expertSimilarities.Count;
        var ranks = new Dictionary<string, RetrievalRanks>();
        var transposed = expertSimilarities.Select(s => s.t()).ToArray();                                 // [I, Q] each
        for (var c = 0; c < n; c++) ranks[$"expert_{c}"] = Eval.Retrieval.RanksOfScores(expertSimilarities[c], transposed[c], captionToImage);
        RetrievalRanks With(Tensor collection, Tensor perQuery)
        {
            using var scope = NewDisposeScope();
            return Eval.Retrieval.RanksOfScores(Ensemble.TextToImage(expertSimilarities, perQuery), Ensemble.ImageToText(transposed, collection), captionToImage);
        }
        ranks["routed_paper"] = With(routing.Paper, routing.PaperPerQuery);
        ranks["routed_code"] = With(routing.Code, routing.CodePerQuery);
        using (var uniform = MetadataRouter.Uniform(n))
        using (var perQuery = uniform.unsqueeze(0).expand(expertSimilarities[0].shape[0], n))
            ranks["uniform"] = With(uniform, perQuery);
        foreach (var (alias, expert) in AliasExperts(routing, Enumerable.Range(0, n).Select(c => scores[$"expert_{c}"].Mean).ToArray()))
            ranks[alias] = ranks[$"expert_{expert}"];
        return ranks;
    }

    /// <summary>
    /// The methods that pick one expert: single_best_paper / single_best_code (the expert each formula weighs most) and
    /// oracle (the expert that scores best on the task, <paramref name="perExpert"/>).
    /// </summary>
    public static IReadOnlyList<(string Method, int Expert)> AliasExperts(TaskRouting routing, IReadOnlyList<double> perExpert) =>
        [("single_best_paper", Argmax(routing.Paper)), ("single_best_code", Argmax(routing.Code)), ("oracle", OracleExpert(perExpert))];

    /// <summary>
    /// Top-1/top-5 accuracy (%) of logits [N, C] against labels; the same rule as <see cref="ZeroShotClassifier.Score"/>,
    /// which takes embeddings instead of logits.
    /// </summary>
    public static ZeroShotMetrics Accuracy(Tensor logits, IReadOnlyList<int> labels)
    {
        if (logits.dim() != 2 || logits.shape[0] != labels.Count)
            throw new ArgumentException($"logits must be [{labels.Count}, C] for {labels.Count} labels, got [{string.Join(", ", logits.shape)}]");
        using var scope = NewDisposeScope();
        var target = tensor(labels.Select(l => (long)l).ToArray(), device: logits.device);
        var topk = logits.topk((int)Math.Min(5, logits.shape[1]), dim: 1).indexes;                       // [N, k]
        var correct = topk.eq(target.unsqueeze(1));                                                       // [N, k]
        return new ZeroShotMetrics(correct.select(1, 0).to(ScalarType.Float64).mean().item<double>() * 100,
            correct.any(1).to(ScalarType.Float64).mean().item<double>() * 100, labels.Count);
    }

    /// <summary>
    /// Recall@1/5/10 (%) with CLIP_benchmark's rule (<see cref="Eval.Retrieval"/>): text→image from scores [Q, I],
    /// image→text from scores [I, Q] (any of an image's captions in its top K).
    /// </summary>
    public static RetrievalMetrics Recall(Tensor textToImage, Tensor imageToText, IReadOnlyList<int> captionToImage)
    {
        var (q, images) = (textToImage.shape[0], textToImage.shape[1]);
        if (q != captionToImage.Count || imageToText.shape[0] != images || imageToText.shape[1] != q)
            throw new ArgumentException($"expected text→image [{captionToImage.Count}, I] and image→text [I, {captionToImage.Count}] scores, got [{q}, {images}] and [{string.Join(", ", imageToText.shape)}]");
        using var scope = NewDisposeScope();
        var positive = zeros(q, images, ScalarType.Bool, device: textToImage.device);                     // [Q, I]
        positive[arange(q, device: textToImage.device), tensor(captionToImage.Select(i => (long)i).ToArray(), device: textToImage.device)] = tensor(true);
        int[] ks = [1, 5, 10];
        var t2i = ks.Select(k => Eval.Retrieval.RecallAtK(textToImage, positive, k)).ToArray();
        var i2t = ks.Select(k => Eval.Retrieval.RecallAtK(imageToText, positive.t(), k)).ToArray();
        return new RetrievalMetrics(t2i[0], t2i[1], t2i[2], i2t[0], i2t[1], i2t[2]);
    }

    /// <summary>The expert with the highest score (lowest index on ties), as <see cref="MetadataRouter.Oracle"/>.</summary>
    public static int OracleExpert(IReadOnlyList<double> perExpert)
    {
        using var w = MetadataRouter.Oracle(perExpert);
        return Argmax(w);
    }

    private static int Argmax(Tensor weights) => (int)weights.argmax().item<long>();
}
