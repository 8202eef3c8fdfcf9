using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>
/// Routing-weighted ensembling of data experts (Eq. 4: Σ_c p(c|T)·f(·|c)). The released code sums per-expert cosine
/// similarities (no logit scale, no softmax over classes), then takes the argmax. Axes: n experts, N images, C classes,
/// Q query texts. With one expert and weight 1 the result equals that expert's logits bit for bit.
/// </summary>
public static class Ensemble
{
    /// <summary>Cosine logits [N, C] of one expert: normalize(image) · normalize(classText)ᵀ.</summary>
    public static Tensor CosineLogits(Tensor imageEmbeds, Tensor classEmbeds)
    {
        using var scope = NewDisposeScope();
        var logits = nn.functional.normalize(imageEmbeds, dim: -1).matmul(nn.functional.normalize(classEmbeds, dim: -1).t());
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>Zero-shot classification: Σ_c w_c · logits_c with per-expert logits [N, C] and task weights [n].</summary>
    public static Tensor ZeroShot(IReadOnlyList<Tensor> expertLogits, Tensor weights) => Combine(expertLogits, weights);

    /// <summary>
    /// Image→text retrieval: the whole text collection is the task metadata, so one weight vector [n] for every image
    /// query; per-expert similarities are [N_images, Q_texts].
    /// </summary>
    public static Tensor ImageToText(IReadOnlyList<Tensor> expertSimilarities, Tensor collectionWeights) =>
        Combine(expertSimilarities, collectionWeights);

    /// <summary>
    /// Text→image retrieval: each query text routes itself (Eq. 7), weights [Q, n]; per-expert similarities [Q, N_images].
    /// Row q of the result is Σ_c w[q, c] · sims_c[q, :].
    /// </summary>
    public static Tensor TextToImage(IReadOnlyList<Tensor> expertSimilarities, Tensor perQueryWeights)
    {
        RequireSameShapes(expertSimilarities);
        var q = expertSimilarities[0].shape[0];
        if (perQueryWeights.dim() != 2 || perQueryWeights.shape[0] != q || perQueryWeights.shape[1] != expertSimilarities.Count)
            throw new ArgumentException($"per-query weights must be [{q}, {expertSimilarities.Count}], got [{string.Join(", ", perQueryWeights.shape)}]");
        using var scope = NewDisposeScope();
        var w = perQueryWeights.to(expertSimilarities[0].dtype, expertSimilarities[0].device);
        var sum = expertSimilarities[0] * w.narrow(1, 0, 1);
        for (var c = 1; c < expertSimilarities.Count; c++) sum.add_(expertSimilarities[c] * w.narrow(1, c, 1));
        return sum.MoveToOuterDisposeScope();
    }

    /// <summary>Σ_c w_c · x_c for same-shaped expert outputs and weights [n].</summary>
    public static Tensor Combine(IReadOnlyList<Tensor> expertOutputs, Tensor weights)
    {
        RequireSameShapes(expertOutputs);
        if (weights.dim() != 1 || weights.shape[0] != expertOutputs.Count)
            throw new ArgumentException($"weights must be [{expertOutputs.Count}] (one per expert), got [{string.Join(", ", weights.shape)}]");
        using var scope = NewDisposeScope();
        var w = weights.to(expertOutputs[0].dtype, expertOutputs[0].device);
        // Start from w_0·x_0, not from zeros, so that n = 1 with w = 1 returns x_0 exactly (1·x is exact in IEEE).
        var sum = expertOutputs[0] * w[0];
        for (var c = 1; c < expertOutputs.Count; c++) sum.add_(expertOutputs[c] * w[c]);
        return sum.MoveToOuterDisposeScope();
    }

    private static void RequireSameShapes(IReadOnlyList<Tensor> outputs)
    {
        if (outputs.Count == 0) throw new ArgumentException("an ensemble needs at least one expert");
        var shape = outputs[0].shape;
        for (var c = 1; c < outputs.Count; c++)
            if (!outputs[c].shape.SequenceEqual(shape))
                throw new ArgumentException($"expert {c} output is [{string.Join(", ", outputs[c].shape)}] but expert 0's is [{string.Join(", ", shape)}]");
    }
}
