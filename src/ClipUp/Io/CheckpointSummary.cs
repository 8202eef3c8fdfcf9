using ClipUp.Model;

namespace ClipUp.Io;

/// <summary>How many tensors and parameters sit under one key prefix (<c>visual.transformer</c>, <c>token_embedding</c>, ...).</summary>
public sealed record KeyGroup(string Prefix, int Tensors, long Parameters);

/// <summary>
/// What <c>clipup inspect</c> reports about a checkpoint: its scheme and files, the architecture, parameter counts
/// (total, and active per token for MoE: top-k of E experts), tensors grouped by key prefix in ClipUp keys, the
/// stored dtypes and the import notes.
/// </summary>
public sealed record CheckpointSummary(
    CheckpointLocation Location, ClipArchitecture Architecture, ParameterCount Parameters, int Tensors,
    IReadOnlyList<KeyGroup> Groups, IReadOnlyList<string> DTypes, IReadOnlyList<string> Notes)
{
    /// <summary>Summarises a checkpoint read by <see cref="ModelFiles.Load"/>; reads no more than that.</summary>
    public static CheckpointSummary Of(LoadedWeights w)
    {
        long total = w.Tensors.Values.Sum(t => t.numel());
        var groups = w.Tensors.GroupBy(p => GroupOf(p.Key))
            .Select(g => new KeyGroup(g.Key, g.Count(), g.Sum(p => p.Value.numel())))
            .OrderBy(g => g.Prefix, StringComparer.Ordinal).ToList();
        var dtypes = w.Tensors.Values.Select(t => t.dtype.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
        return new CheckpointSummary(w.Location, w.Architecture, new ParameterCount(total, total - InactiveExpertParameters(w)),
            w.Tensors.Count, groups, dtypes, w.Notes);
    }

    /// <summary>Key prefix of a tensor: the tower's block stack, or the first one or two key components.</summary>
    internal static string GroupOf(string key)
    {
        if (key.StartsWith(ClipKeys.VisionBlocks, StringComparison.Ordinal)) return "visual.transformer";
        if (key.StartsWith(ClipKeys.TextBlocks, StringComparison.Ordinal)) return "transformer";
        var parts = key.Split('.');
        return parts[0] == "visual" && parts.Length > 2 ? $"visual.{parts[1]}" : parts[0];
    }

    /// <summary>Expert parameters a token does not use: (E − k)/E of each MoE block's stacked experts.</summary>
    private static long InactiveExpertParameters(LoadedWeights w)
    {
        if (w.Architecture.Moe is not { } moe) return 0;
        long experts = w.Tensors.Where(p => p.Key.Contains(".mlp.experts.", StringComparison.Ordinal)).Sum(p => p.Value.numel());
        return experts / moe.NumExperts * (moe.NumExperts - moe.TopK);
    }
}
