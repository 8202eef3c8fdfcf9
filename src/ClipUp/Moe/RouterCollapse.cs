using ClipUp.Training;

namespace ClipUp.Moe;

/// <summary>
/// Watches logged routing statistics for router collapse: an expert receiving under <paramref name="minShare"/> of
/// a layer's assignments for <paramref name="patience"/> consecutive logged steps. Warns once per layer, naming it.
/// </summary>
public sealed class RouterCollapse(double minShare = 0.01, int patience = 5)
{
    private readonly Dictionary<string, int> streak = new();
    private readonly HashSet<string> warned = new();

    /// <summary>Feeds one logged step; returns the warnings it raises (empty most of the time).</summary>
    public IReadOnlyList<string> Observe(StepMetrics metrics)
    {
        var warnings = new List<string>();
        if (metrics.Extra is null) return warnings;
        foreach (var (key, share) in metrics.Extra)
        {
            if (!key.EndsWith("/min_share", StringComparison.Ordinal)) continue;
            var layer = key[..^"/min_share".Length];
            streak[layer] = share < minShare ? streak.GetValueOrDefault(layer) + 1 : 0;
            if (streak[layer] >= patience && warned.Add(layer))
                warnings.Add($"router collapse at step {metrics.Step}: in {layer} an expert has received under {minShare:P0} of the tokens " +
                             $"for {patience} logged steps ({share:P2} now). Consider a larger load-balance weight, router jitter, or a lower learning rate.");
        }
        return warnings;
    }
}
