using static TorchSharp.torch;

namespace ClipUp.Io;

/// <summary>
/// The exact key → shape inventory of a ClipUp (OpenAI-keyed) state dict for an architecture. Axes: W width, H MLP hidden,
/// P patch, G grid, E embed (or experts in MoE keys), V vocab, C context.
/// </summary>
public static class ClipShapes
{
    /// <summary>Every key with its shape, in state-dict order.</summary>
    public static IReadOnlyList<(string Key, long[] Shape)> OpenAi(ClipArchitecture arch)
    {
        arch.Validate();
        var (v, t) = (arch.Vision, arch.Text);
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal)
        {
            ["visual.class_embedding"] = [v.Width],
            ["visual.positional_embedding"] = [v.GridSize * v.GridSize + 1, v.Width],
            ["visual.proj"] = [v.Width, arch.EmbedDim],
            ["visual.conv1.weight"] = [v.Width, 3, v.PatchSize, v.PatchSize],
            ["visual.ln_pre.weight"] = [v.Width],
            ["visual.ln_pre.bias"] = [v.Width],
            ["visual.ln_post.weight"] = [v.Width],
            ["visual.ln_post.bias"] = [v.Width],
            ["positional_embedding"] = [t.ContextLength, t.Width],
            ["text_projection"] = [t.Width, arch.EmbedDim],
            ["logit_scale"] = [],
            ["token_embedding.weight"] = [t.VocabSize, t.Width],
            ["ln_final.weight"] = [t.Width],
            ["ln_final.bias"] = [t.Width],
        };
        int experts = arch.Moe?.NumExperts ?? 0;
        AddBlocks(shapes, ClipKeys.VisionBlocks, v.Layers, v.Width, v.MlpHidden, arch.Moe?.VisionLayers ?? [], experts);
        AddBlocks(shapes, ClipKeys.TextBlocks, t.Layers, t.Width, t.MlpHidden, arch.Moe?.TextLayers ?? [], experts);
        return WeightMaps.OpenAiKeys(BlockLayout.Of(arch)).Select(k => (k, shapes[k])).ToList();
    }

    private static void AddBlocks(Dictionary<string, long[]> shapes, string prefix, int layers, long w, long h, IReadOnlyList<int> moe, long e)
    {
        for (int i = 0; i < layers; i++)
        {
            string p = $"{prefix}{i}.";
            shapes[p + "ln_1.weight"] = [w];
            shapes[p + "ln_1.bias"] = [w];
            shapes[p + "attn.in_proj_weight"] = [3 * w, w];
            shapes[p + "attn.in_proj_bias"] = [3 * w];
            shapes[p + "attn.out_proj.weight"] = [w, w];
            shapes[p + "attn.out_proj.bias"] = [w];
            shapes[p + "ln_2.weight"] = [w];
            shapes[p + "ln_2.bias"] = [w];
            shapes[p + "mlp.c_fc.weight"] = [h, w];
            shapes[p + "mlp.c_fc.bias"] = [h];
            shapes[p + "mlp.c_proj.weight"] = [w, h];
            shapes[p + "mlp.c_proj.bias"] = [w];
            // Stacked experts are input-major ([E, in, out]) so they run as one batched matmul x[E, C, in] @ W[E, in, out].
            shapes[p + "mlp.router.weight"] = [e, w];
            shapes[p + "mlp.experts.c_fc_weight"] = [e, w, h];
            shapes[p + "mlp.experts.c_fc_bias"] = [e, h];
            shapes[p + "mlp.experts.c_proj_weight"] = [e, h, w];
            shapes[p + "mlp.experts.c_proj_bias"] = [e, w];
        }
    }

    /// <summary>
    /// Throws unless <paramref name="state"/> has exactly the keys of <paramref name="arch"/> (<see cref="StateDictKeyException"/>)
    /// and every tensor has its shape (<see cref="InvalidDataException"/> listing up to 20 mismatches).
    /// </summary>
    public static void Require(IReadOnlyDictionary<string, Tensor> state, ClipArchitecture arch, string what)
    {
        var expected = OpenAi(arch);
        StateDictKeys.RequireExactly(expected.Select(e => e.Key), state.Keys, what);
        var wrong = expected.Where(e => !state[e.Key].shape.SequenceEqual(e.Shape))
            .Select(e => $"'{e.Key}' is [{string.Join(", ", state[e.Key].shape)}], expected [{string.Join(", ", e.Shape)}]")
            .ToList();
        if (wrong.Count > 0)
            throw new InvalidDataException(
                $"{what} has {wrong.Count} tensors whose shape does not fit the architecture: {string.Join("; ", wrong.Take(StateDictKeys.Listed))}"
                + (wrong.Count > StateDictKeys.Listed ? $"; ... and {wrong.Count - StateDictKeys.Listed} more" : ""));
    }
}
