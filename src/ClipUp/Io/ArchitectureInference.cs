using static TorchSharp.torch;

namespace ClipUp.Io;

/// <summary>
/// Reads a <see cref="ClipArchitecture"/> off the shapes of an OpenAI/open_clip/ClipUp state dict, the way OpenAI's
/// <c>build_model(state_dict)</c> does. Two things are not in the weights and come in as arguments: the activation, and
/// the head count, which follows OpenAI's convention heads = width / 64 unless another head width is given. For MoE
/// blocks, top-k is not in the weights either.
/// </summary>
public static class ArchitectureInference
{
    /// <summary>OpenAI's CLIP models all use 64-wide attention heads (<c>vision_heads = vision_width // 64</c> in clip/model.py).</summary>
    public const int OpenAiHeadDim = 64;

    public static ClipArchitecture FromOpenAi(IReadOnlyDictionary<string, Tensor> state, ClipActivation activation,
        int headDim = OpenAiHeadDim, int? moeTopK = null, string what = "state dict")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headDim);
        var layout = ClipKeys.DetectLayout(state.Keys);
        StateDictKeys.RequireExactly(WeightMaps.OpenAiKeys(layout), state.Keys, what);

        long[] conv = Shape(state, "visual.conv1.weight", 4, what);        // [W, 3, P, P]
        int vWidth = (int)conv[0], patch = (int)conv[2];
        if (conv[1] != 3 || conv[2] != conv[3])
            throw new InvalidDataException($"{what}: 'visual.conv1.weight' is [{string.Join(", ", conv)}]; expected [width, 3, patch, patch]");
        long positions = Shape(state, "visual.positional_embedding", 2, what)[0] - 1;   // G² patches + class token
        int grid = (int)Math.Round(Math.Sqrt(positions));
        if ((long)grid * grid != positions)
            throw new InvalidDataException($"{what}: 'visual.positional_embedding' has {positions + 1} rows; expected grid² + 1 for a square grid");

        long[] tokens = Shape(state, "token_embedding.weight", 2, what);   // [V, W]
        int tWidth = (int)tokens[1];
        int embed = (int)Shape(state, "text_projection", 2, what)[1];     // [W, E]
        int context = (int)Shape(state, "positional_embedding", 2, what)[0];

        var vision = new VisionArchitecture(grid * patch, patch, vWidth, layout.VisionLayers, Heads(vWidth, headDim, "vision", what),
            MlpHidden(state, ClipKeys.VisionBlocks, layout.VisionLayers, layout.VisionMoe, what));
        var text = new TextArchitecture(context, (int)tokens[0], tWidth, layout.TextLayers, Heads(tWidth, headDim, "text", what),
            MlpHidden(state, ClipKeys.TextBlocks, layout.TextLayers, layout.TextMoe, what));

        MoeLayout? moe = null;
        if (layout.VisionMoe.Count + layout.TextMoe.Count > 0)
        {
            string first = layout.VisionMoe.Count > 0 ? $"{ClipKeys.VisionBlocks}{layout.VisionMoe[0]}." : $"{ClipKeys.TextBlocks}{layout.TextMoe[0]}.";
            int experts = (int)Shape(state, first + ClipKeys.MoeMarker, 2, what)[0];
            int topK = moeTopK ?? throw new ArgumentException(
                $"{what} has MoE blocks ({experts} experts) but top-k is not stored in weights: pass moeTopK (or read it from the checkpoint's config)");
            moe = new MoeLayout(experts, topK, layout.VisionMoe, layout.TextMoe);
        }
        var arch = new ClipArchitecture(embed, vision, text, activation, moe);
        arch.Validate();
        ClipShapes.Require(state, arch, what);
        return arch;
    }

    private static int Heads(int width, int headDim, string tower, string what) =>
        width % headDim == 0 ? width / headDim
            : throw new ArgumentException($"{what}: {tower} width {width} is not a multiple of the head width {headDim}; pass the model's head width (headDim)");

    /// <summary>MLP hidden size from the first dense block (<c>c_fc.weight</c> [H, W]), else the first MoE block (<c>c_fc_weight</c> [E, W, H]).</summary>
    private static int MlpHidden(IReadOnlyDictionary<string, Tensor> state, string prefix, int layers, IReadOnlyList<int> moe, string what)
    {
        for (int i = 0; i < layers; i++)
        {
            if (!moe.Contains(i)) return (int)Shape(state, $"{prefix}{i}.mlp.c_fc.weight", 2, what)[0];
        }
        return (int)Shape(state, $"{prefix}{moe[0]}.mlp.experts.c_fc_weight", 3, what)[2];
    }

    private static long[] Shape(IReadOnlyDictionary<string, Tensor> state, string key, int rank, string what)
    {
        var shape = state[key].shape;
        return shape.Length == rank ? shape
            : throw new InvalidDataException($"{what}: '{key}' has shape [{string.Join(", ", shape)}]; expected {rank} dimensions");
    }
}
