namespace ClipUp.Model;

/// <summary>The MLP non-linearity. OpenAI's CLIP checkpoints use QuickGELU (x·σ(1.702x)); open_clip's own models use GELU.</summary>
public enum Activation { Gelu, QuickGelu }

/// <summary>Image tower shape: a ViT over <c>ImageSize/PatchSize</c>² patches plus a class token.</summary>
public sealed record VisionConfig(int ImageSize, int PatchSize, int Width, int Layers, int Heads, double MlpRatio = 4.0)
{
    public int GridSize => ImageSize / PatchSize;
    public int Tokens => GridSize * GridSize + 1;
    public int MlpHidden => (int)(Width * MlpRatio);

    public void Validate()
    {
        Require(ImageSize > 0 && PatchSize > 0, $"vision ImageSize {ImageSize} and PatchSize {PatchSize} must be positive");
        Require(ImageSize % PatchSize == 0, $"vision ImageSize {ImageSize} is not a multiple of PatchSize {PatchSize}: pick sizes that divide");
        Require(Width > 0 && Layers > 0 && Heads > 0, $"vision Width {Width}, Layers {Layers}, Heads {Heads} must be positive");
        Require(Width % Heads == 0, $"vision Width {Width} is not divisible by Heads {Heads}");
        Require(MlpRatio > 0, $"vision MlpRatio {MlpRatio} must be positive");
    }

    internal static void Require(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }
}

/// <summary>Text tower shape: a causal transformer over BPE tokens, pooled at the end-of-text token.</summary>
public sealed record TextConfig(int ContextLength, int VocabSize, int Width, int Layers, int Heads, double MlpRatio = 4.0)
{
    public int MlpHidden => (int)(Width * MlpRatio);

    public void Validate()
    {
        VisionConfig.Require(ContextLength >= 2, $"text ContextLength {ContextLength} must be at least 2 (start and end tokens)");
        VisionConfig.Require(VocabSize > 0, $"text VocabSize {VocabSize} must be positive");
        VisionConfig.Require(Width > 0 && Layers > 0 && Heads > 0, $"text Width {Width}, Layers {Layers}, Heads {Heads} must be positive");
        VisionConfig.Require(Width % Heads == 0, $"text Width {Width} is not divisible by Heads {Heads}");
        VisionConfig.Require(MlpRatio > 0, $"text MlpRatio {MlpRatio} must be positive");
    }
}

/// <summary>
/// A dense CLIP architecture (OpenAI/open_clip layout). Holds no device, dtype, path or seed (STYLE R2).
/// Presets return new records; variants are <c>with</c> expressions: <c>ClipConfig.Tiny with { EmbedDim = 32 }</c>.
/// </summary>
public sealed record ClipConfig(int EmbedDim, VisionConfig Vision, TextConfig Text, Activation Activation = Activation.Gelu)
{
    /// <summary>CPU tests: 32 px images, 8 px patches, two layers per tower, width 64, context 32.</summary>
    public static ClipConfig Tiny => new(64,
        new VisionConfig(ImageSize: 32, PatchSize: 8, Width: 64, Layers: 2, Heads: 4),
        new TextConfig(ContextLength: 32, VocabSize: 49408, Width: 64, Layers: 2, Heads: 4));

    /// <summary>ViT-S/16-like (open_clip ViT-S-16 widths) at 96 px: Flickr8k experiments on one GPU.</summary>
    public static ClipConfig S16_96 => new(384,
        new VisionConfig(ImageSize: 96, PatchSize: 16, Width: 384, Layers: 12, Heads: 6),
        new TextConfig(ContextLength: 77, VocabSize: 49408, Width: 384, Layers: 12, Heads: 6));

    /// <summary>OpenAI ViT-B/32 (151.3M parameters).</summary>
    public static ClipConfig B32 => new(512,
        new VisionConfig(ImageSize: 224, PatchSize: 32, Width: 768, Layers: 12, Heads: 12),
        new TextConfig(ContextLength: 77, VocabSize: 49408, Width: 512, Layers: 12, Heads: 8), Activation.QuickGelu);

    /// <summary>OpenAI ViT-B/16 (149.6M parameters).</summary>
    public static ClipConfig B16 => B32 with { Vision = B32.Vision with { PatchSize = 16 } };

    /// <summary>OpenAI ViT-L/14 (427.6M parameters).</summary>
    public static ClipConfig L14 => new(768,
        new VisionConfig(ImageSize: 224, PatchSize: 14, Width: 1024, Layers: 24, Heads: 16),
        new TextConfig(ContextLength: 77, VocabSize: 49408, Width: 768, Layers: 12, Heads: 12), Activation.QuickGelu);

    /// <summary>Preset names accepted by <see cref="FromPreset"/>, in size order.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["tiny", "S16-96", "B32", "B16", "L14"];

    public static ClipConfig FromPreset(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "s16-96" or "s16_96" => S16_96,
        "b32" or "vit-b-32" or "vit-b/32" => B32,
        "b16" or "vit-b-16" or "vit-b/16" => B16,
        "l14" or "vit-l-14" or "vit-l/14" => L14,
        _ => throw new ArgumentException($"unknown model preset '{name}': use one of {string.Join(", ", PresetNames)}"),
    };

    /// <summary>
    /// This architecture with the embedding, every tower width and every head count multiplied by
    /// <paramref name="factor"/>: head width, depth, patches and context stay, so FLOPs grow about as factor². The rungs
    /// of the scale sweep (clip-up.md §6 item 10), whose small-scale ladder widens one preset instead of jumping
    /// between B/32, B/16 and L/14.
    /// </summary>
    public ClipConfig Widen(double factor)
    {
        if (factor == 1.0) return this;
        int Scale(int value, string what)
        {
            var scaled = value * factor;
            VisionConfig.Require(factor > 0 && Math.Abs(scaled - Math.Round(scaled)) < 1e-9 && scaled >= 1,
                $"width factor {factor} turns {what} {value} into {scaled}: pick a factor that keeps it a whole number (e.g. 0.5, 2)");
            return (int)Math.Round(scaled);
        }
        return this with
        {
            EmbedDim = Scale(EmbedDim, "embed_dim"),
            Vision = Vision with { Width = Scale(Vision.Width, "vision width"), Heads = Scale(Vision.Heads, "vision heads") },
            Text = Text with { Width = Scale(Text.Width, "text width"), Heads = Scale(Text.Heads, "text heads") },
        };
    }

    public void Validate()
    {
        VisionConfig.Require(EmbedDim > 0, $"EmbedDim {EmbedDim} must be positive");
        Vision.Validate();
        Text.Validate();
    }
}
