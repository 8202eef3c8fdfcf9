using ClipUp.Model;

namespace ClipUp.Io;

/// <summary>
/// Maps the Io layer's <see cref="ClipArchitecture"/> (what a checkpoint says) to the model's <see cref="ClipConfig"/>
/// (what ClipUp builds) and back. Both directions are exact: <c>ToArchitecture(ToConfig(a)) == a</c> for every dense
/// architecture ClipUp can build. What the model cannot express (MoE layouts, other LayerNorm epsilons, which
/// <see cref="HfClipConfig"/> already rejects) fails here with the value and the reason.
/// </summary>
public static class ArchitectureMapping
{
    /// <summary>The dense model config for <paramref name="arch"/>; <paramref name="what"/> names the source in errors.</summary>
    public static ClipConfig ToConfig(ClipArchitecture arch, string what = "checkpoint")
    {
        arch.Validate();
        if (arch.Moe is { } moe)
            throw new NotSupportedException(
                $"{what} is an MoE model ({moe.NumExperts} experts, top-{moe.TopK}, vision blocks [{string.Join(", ", moe.VisionLayers)}], " +
                $"text blocks [{string.Join(", ", moe.TextLayers)}]); a dense ClipModel cannot hold it: load it with the MoE model");
        var (v, t) = (arch.Vision, arch.Text);
        var config = new ClipConfig(arch.EmbedDim,
            new VisionConfig(v.ImageSize, v.PatchSize, v.Width, v.Layers, v.Heads, MlpRatio(v.MlpHidden, v.Width, "vision", what)),
            new TextConfig(t.ContextLength, t.VocabSize, t.Width, t.Layers, t.Heads, MlpRatio(t.MlpHidden, t.Width, "text", what)),
            ToModel(arch.Activation));
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{what}: ClipUp's model cannot be built for this architecture: {e.Message}", e);
        }
        return config;
    }

    /// <summary>The architecture record of a dense model config (for export: HF <c>config.json</c>, ClipUp metadata).</summary>
    public static ClipArchitecture ToArchitecture(ClipConfig config)
    {
        config.Validate();
        var (v, t) = (config.Vision, config.Text);
        var arch = new ClipArchitecture(config.EmbedDim,
            new VisionArchitecture(v.ImageSize, v.PatchSize, v.Width, v.Layers, v.Heads, v.MlpHidden),
            new TextArchitecture(t.ContextLength, t.VocabSize, t.Width, t.Layers, t.Heads, t.MlpHidden),
            ToIo(config.Activation));
        arch.Validate();
        return arch;
    }

    public static Activation ToModel(ClipActivation a) => a == ClipActivation.QuickGelu ? Activation.QuickGelu : Activation.Gelu;

    public static ClipActivation ToIo(Activation a) => a == Activation.QuickGelu ? ClipActivation.QuickGelu : ClipActivation.Gelu;

    /// <summary>An activation named the way HF (<c>gelu</c>, <c>quick_gelu</c>) or ClipUp's JSON (<c>quick_gelu</c>, <c>QuickGelu</c>) names it.</summary>
    public static ClipActivation ParseActivation(string name) =>
        name.Trim().Replace("_", "").Replace("-", "").ToLowerInvariant() switch
        {
            "gelu" => ClipActivation.Gelu,
            "quickgelu" => ClipActivation.QuickGelu,
            _ => throw new ArgumentException($"unknown activation '{name}': use gelu (most open_clip models) or quick_gelu (OpenAI's CLIP weights)"),
        };

    /// <summary>
    /// The <see cref="VisionConfig.MlpRatio"/> whose <c>(int)(width · ratio)</c> is exactly <paramref name="hidden"/>.
    /// hidden / width in double can land one ulp low (704 · (960 / 704) = 959.999…), which the int cast would truncate to
    /// 959; the next representable double above the quotient gives 960 (checked for every width ≤ 2048, hidden ≤ 4·width).
    /// </summary>
    internal static double MlpRatio(int hidden, int width, string tower, string what)
    {
        double ratio = (double)hidden / width;
        if ((int)(width * ratio) != hidden) ratio = Math.BitIncrement(ratio);
        return (int)(width * ratio) == hidden ? ratio
            : throw new ArgumentException($"{what}: {tower} MLP hidden size {hidden} with width {width} is not expressible as ClipConfig.MlpRatio");
    }
}
