namespace ClipUp.Io;

/// <summary>The MLP non-linearity as checkpoints name it: HF <c>hidden_act</c> "gelu" (exact, erf) or "quick_gelu" (x·σ(1.702x), OpenAI's).</summary>
public enum ClipActivation { Gelu, QuickGelu }

/// <summary>Image tower shape as a checkpoint describes it. <see cref="MlpHidden"/> is HF's <c>intermediate_size</c>.</summary>
public sealed record VisionArchitecture(int ImageSize, int PatchSize, int Width, int Layers, int Heads, int MlpHidden)
{
    public int GridSize => ImageSize / PatchSize;

    public void Validate()
    {
        Check.Positive("vision", (nameof(ImageSize), ImageSize), (nameof(PatchSize), PatchSize), (nameof(Width), Width),
            (nameof(Layers), Layers), (nameof(Heads), Heads), (nameof(MlpHidden), MlpHidden));
        Check.That(ImageSize % PatchSize == 0, $"vision ImageSize {ImageSize} is not a multiple of PatchSize {PatchSize}");
        Check.That(Width % Heads == 0, $"vision Width {Width} is not divisible by Heads {Heads}");
    }
}

/// <summary>Text tower shape as a checkpoint describes it. <see cref="ContextLength"/> is HF's <c>max_position_embeddings</c>.</summary>
public sealed record TextArchitecture(int ContextLength, int VocabSize, int Width, int Layers, int Heads, int MlpHidden)
{
    public void Validate()
    {
        Check.Positive("text", (nameof(ContextLength), ContextLength), (nameof(VocabSize), VocabSize), (nameof(Width), Width),
            (nameof(Layers), Layers), (nameof(Heads), Heads), (nameof(MlpHidden), MlpHidden));
        Check.That(Width % Heads == 0, $"text Width {Width} is not divisible by Heads {Heads}");
    }
}

/// <summary>
/// Which transformer blocks hold a sparse MoE MLP (see KEYS.md), with <see cref="NumExperts"/> experts each, of which
/// <see cref="TopK"/> are active per token. <see cref="SettingsJson"/> is an optional compact JSON object with the
/// model's remaining MoE settings (capacity factor, router kind, ...); the Io layer stores it verbatim.
/// </summary>
public sealed record MoeLayout(int NumExperts, int TopK, IReadOnlyList<int> VisionLayers, IReadOnlyList<int> TextLayers, string? SettingsJson = null)
{
    public void Validate(int visionLayers, int textLayers)
    {
        Check.Positive("moe", (nameof(NumExperts), NumExperts), (nameof(TopK), TopK));
        Check.That(TopK <= NumExperts, $"moe TopK {TopK} exceeds NumExperts {NumExperts}: set TopK <= NumExperts");
        CheckLayers("vision", VisionLayers, visionLayers);
        CheckLayers("text", TextLayers, textLayers);
    }

    private static void CheckLayers(string tower, IReadOnlyList<int> layers, int count)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            Check.That(layers[i] >= 0 && layers[i] < count, $"moe {tower} layer {layers[i]} is outside 0..{count - 1}");
            Check.That(i == 0 || layers[i] > layers[i - 1], $"moe {tower} layers [{string.Join(", ", layers)}] must be strictly increasing");
        }
    }

    public bool Equals(MoeLayout? other) =>
        other is not null && NumExperts == other.NumExperts && TopK == other.TopK && SettingsJson == other.SettingsJson
        && VisionLayers.SequenceEqual(other.VisionLayers) && TextLayers.SequenceEqual(other.TextLayers);

    public override int GetHashCode() => HashCode.Combine(NumExperts, TopK, SettingsJson, VisionLayers.Count, TextLayers.Count);

    public override string ToString() =>
        $"MoeLayout {{ NumExperts = {NumExperts}, TopK = {TopK}, VisionLayers = [{string.Join(", ", VisionLayers)}], TextLayers = [{string.Join(", ", TextLayers)}], SettingsJson = {SettingsJson} }}";
}

/// <summary>
/// The architecture a checkpoint implies: the Io layer's own record (the model maps it to its config). It holds what the
/// weights and <c>config.json</c> can say, nothing about devices, dtypes or training. <see cref="Moe"/> is null for dense models.
/// </summary>
public sealed record ClipArchitecture(int EmbedDim, VisionArchitecture Vision, TextArchitecture Text, ClipActivation Activation, MoeLayout? Moe = null)
{
    public void Validate()
    {
        Check.Positive("clip", (nameof(EmbedDim), EmbedDim));
        Vision.Validate();
        Text.Validate();
        Moe?.Validate(Vision.Layers, Text.Layers);
    }
}

internal static class Check
{
    public static void That(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }

    public static void Positive(string scope, params (string Name, int Value)[] values)
    {
        foreach (var (name, value) in values)
            That(value > 0, $"{scope} {name} {value} must be positive");
    }
}
