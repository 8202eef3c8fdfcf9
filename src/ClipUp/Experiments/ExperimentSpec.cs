using ClipUp.Model;
using ClipUp.Moe;

namespace ClipUp.Experiments;

/// <summary>How a variant's model starts.</summary>
public enum StartFrom
{
    /// <summary>Random init, trained for the dense steps plus the continuation steps (same total steps as the others).</summary>
    Scratch,
    /// <summary>The experiment's dense baseline of the same seed (dense → continue, or dense → upcycle → continue).</summary>
    DenseBaseline,
}

/// <summary>One arm of an experiment: which model, how it starts, how it is trained.</summary>
/// <param name="Moe">Null for a dense model; else the MoE layers (upcycled when <paramref name="Start"/> is DenseBaseline).</param>
/// <param name="Shared">One transformer for both modalities (LIMoE-style) instead of two towers.</param>
/// <param name="LrFactor">Learning rate of the continuation relative to the dense run's peak (CLIP-UP: reduced).</param>
/// <param name="Width">Width factor of the profile's preset (<see cref="ClipConfig.Widen"/>); each width gets its own dense baseline.</param>
public sealed record Variant(string Name, string Description, MoeConfig? Moe = null, bool Shared = false,
    StartFrom Start = StartFrom.DenseBaseline, double LrFactor = 0.3, double Width = 1.0)
{
    /// <summary>The dense run this variant continues: dense, dense-shared, or dense-x2 for another width.</summary>
    public string BaselineName => (Shared ? "dense-shared" : "dense") + (Width == 1.0 ? "" : $"-x{Width.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
}

/// <summary>Model, data and budget of one profile: smoke (CPU, CI, notebooks), cpu (real data on 2 cores) or full (one GPU).</summary>
/// <param name="ZeroShotAttributes">Attribute columns of the retrieval table classified zero-shot (fashion: articleType, baseColour).</param>
/// <param name="SkipVariants">Variants this profile leaves out unless named with <c>--only</c> (the cpu profile's time budget).</param>
public sealed record ProfileSpec(string Preset, int ContextLength, string Data, int DenseSteps, int ContinueSteps, int BatchSize,
    double LearningRate, int Seeds, string Device, string? RetrievalEval, string? ZeroShotEval, int ZeroShotLimit = 0,
    IReadOnlyList<string>? ZeroShotAttributes = null, IReadOnlyList<string>? SkipVariants = null)
{
    /// <summary>The variants of <paramref name="experiment"/> this profile runs: all but <see cref="SkipVariants"/>, or exactly <paramref name="only"/>.</summary>
    public IReadOnlyList<Variant> VariantsOf(ExperimentSpec experiment, IReadOnlyCollection<string>? only = null) =>
        experiment.Variants.Where(v => only is not null ? only.Contains(v.Name) : SkipVariants?.Contains(v.Name) != true).ToList();

    /// <summary>The architecture this profile trains, at a width factor: what a notebook predicts FLOPs and parameters from.</summary>
    public ClipConfig ModelConfig(double width = 1.0) => new RunConfig { Model = Preset, ContextLength = ContextLength, Width = width }.ModelConfig();
}

/// <summary>
/// A named experiment (STYLE R17): the question, the paper it reproduces, and its variants. The dense baseline of each
/// seed is trained once and shared by every variant that starts from it, so comparisons are compute-matched: every
/// variant ends after DenseSteps + ContinueSteps optimizer steps of the same batch size.
/// </summary>
public sealed record ExperimentSpec(string Name, string Question, string Paper, IReadOnlyList<Variant> Variants)
{
    /// <summary>Where the results of a profile go: results/&lt;name&gt;/&lt;profile&gt;/.</summary>
    public string ResultsDir(string root, string profile) => Path.Combine(root, Name, profile);
}
