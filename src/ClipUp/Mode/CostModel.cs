namespace ClipUp.Mode;

/// <summary>
/// MoDE's training schedule in epochs of the dense budget: a seed trained on all data for SeedEpochs, then each
/// expert continues for ExpertEpochs on its cluster; the dense baseline runs DenseEpochs (paper: 27 + 5 of 32).
/// </summary>
public sealed record ModeSchedule(double SeedEpochs = 27, double ExpertEpochs = 5, double DenseEpochs = 32)
{
    /// <summary>The paper's 27/5/32.</summary>
    public static ModeSchedule Paper => new();

    public void Validate()
    {
        if (!(SeedEpochs >= 0) || !(ExpertEpochs > 0) || !(DenseEpochs > 0))
            throw new ArgumentException($"schedule SeedEpochs {SeedEpochs} must be ≥ 0 and ExpertEpochs {ExpertEpochs}, DenseEpochs {DenseEpochs} positive");
    }
}

/// <summary>Inference FLOPs of a dense model and of an n-expert ensemble on one zero-shot task.</summary>
/// <param name="DenseFlops">One model: encode images and prompts, then image·class similarities.</param>
/// <param name="EnsembleFlops">n models, the weighted sum of their logits, and routing.</param>
/// <param name="RoutingFlops">Distances of the L class embeddings to the m fine centres (2·L·m·D) plus the given metadata-embedding cost.</param>
public sealed record InferenceCost(double DenseFlops, double EnsembleFlops, double RoutingFlops)
{
    public double Ratio => EnsembleFlops / DenseFlops;
}

/// <summary>Compute accounting for MoDE (mode.md §2 "Compute model", Fig. 4).</summary>
public static class CostModel
{
    /// <summary>
    /// Training compute of MoDE-n relative to one dense run of the same architecture: (seed + n·expert)/dense.
    /// Paper schedule: (27 + 5n)/32 → MoDE-2 1.156, MoDE-4 1.469, MoDE-8 2.094.
    /// </summary>
    public static double RelativeTrainingCompute(int experts, ModeSchedule? schedule = null)
    {
        schedule ??= ModeSchedule.Paper;
        schedule.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(experts);
        return (schedule.SeedEpochs + experts * schedule.ExpertEpochs) / schedule.DenseEpochs;
    }

    /// <summary>
    /// FLOPs of zero-shot classification of <paramref name="images"/> images into <paramref name="classes"/> classes
    /// with <paramref name="promptsPerClass"/> templates, dense vs an n-expert ensemble. Each expert runs both towers
    /// (class text embeddings are per expert), so the ensemble is ≈ n× dense, plus 2·n·N·C for the weighted sum and the routing.
    /// </summary>
    /// <param name="imageEncoderFlops">Forward FLOPs of one image through the image tower.</param>
    /// <param name="textEncoderFlops">Forward FLOPs of one prompt through the text tower.</param>
    /// <param name="embedDim">Width E of the joint embedding (similarities cost 2·N·C·E).</param>
    /// <param name="fineClusters">m, for the routing distances.</param>
    /// <param name="metadataDim">Width of the clustering embedder (SimCSE: 768).</param>
    /// <param name="metadataEmbeddingFlops">Cost of embedding the L·templates metadata prompts with that embedder.</param>
    public static InferenceCost ZeroShotFlops(int experts, double imageEncoderFlops, double textEncoderFlops, long images, long classes,
        int promptsPerClass, int embedDim, int fineClusters = 0, int metadataDim = 0, double metadataEmbeddingFlops = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(experts);
        var dense = images * imageEncoderFlops + classes * promptsPerClass * textEncoderFlops + 2.0 * images * classes * embedDim;
        var routing = experts == 1 ? 0 : 2.0 * classes * fineClusters * metadataDim + metadataEmbeddingFlops;
        var combine = experts == 1 ? 0 : 2.0 * experts * images * classes;
        return new InferenceCost(dense, experts * dense + combine + routing, routing);
    }
}
