namespace ClipUp.Training;

/// <summary>Which parameters get weight decay.</summary>
public static class ParameterGroups
{
    /// <summary>
    /// No decay on gains and biases (any tensor of rank &lt; 2), embeddings (token, positional, class) and logit_scale:
    /// decaying them pulls positions and the temperature towards zero for no regularisation benefit (open_clip's
    /// exclude rule plus embeddings). Weight matrices, projections, stacked experts and routers decay.
    /// </summary>
    public static bool Decays(string name, long rank) =>
        rank >= 2 && !name.Contains("embedding", StringComparison.Ordinal) && !name.EndsWith("logit_scale", StringComparison.Ordinal)
        && !name.Contains(".ln_", StringComparison.Ordinal) && !name.StartsWith("ln_", StringComparison.Ordinal)
        && !name.EndsWith("bias", StringComparison.Ordinal);
}
