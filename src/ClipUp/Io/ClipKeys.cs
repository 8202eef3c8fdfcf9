using System.Text.RegularExpressions;

namespace ClipUp.Io;

/// <summary>How a tensor changes between the OpenAI and the HF scheme.</summary>
public enum KeyTransform
{
    /// <summary>Same tensor, new name.</summary>
    Rename,
    /// <summary>2-D transpose: OpenAI projections are [width, embed] parameters used as <c>x @ P</c>; HF's are nn.Linear weights [embed, width].</summary>
    Transpose,
    /// <summary>OpenAI <c>in_proj_*</c> [3w, ...] is the row-wise concatenation q; k; v of HF's <c>{q,k,v}_proj</c>.</summary>
    SplitQkv,
}

/// <summary>One OpenAI key and the HF key(s) it becomes: one key, or three (q, k, v) for <see cref="KeyTransform.SplitQkv"/>.</summary>
public sealed record KeyMapping(string OpenAi, IReadOnlyList<string> Hf, KeyTransform Transform);

/// <summary>
/// The key schemes of KEYS.md as data. ClipUp's own keys are OpenAI/open_clip keys; the HF <c>CLIPModel</c> names come
/// from transformers' modeling_clip.py and convert_clip_original_pytorch_to_hf.py. Every per-block rule is a suffix
/// rewrite under the block prefix, so adding a parameter to a block is one line in <see cref="DenseMlpRules"/>,
/// <see cref="MoeMlpRules"/> or <see cref="BlockRules"/> and both directions follow.
/// </summary>
public static class ClipKeys
{
    public const string VisionBlocks = "visual.transformer.resblocks.";
    public const string TextBlocks = "transformer.resblocks.";
    public const string HfVisionBlocks = "vision_model.encoder.layers.";
    public const string HfTextBlocks = "text_model.encoder.layers.";

    /// <summary>Image-tower keys outside the blocks (OpenAI name, HF name, transform), in OpenAI state-dict order.</summary>
    public static IReadOnlyList<(string OpenAi, string Hf, KeyTransform Transform)> VisionRules { get; } =
    [
        ("visual.class_embedding", "vision_model.embeddings.class_embedding", KeyTransform.Rename),
        ("visual.positional_embedding", "vision_model.embeddings.position_embedding.weight", KeyTransform.Rename),
        ("visual.proj", "visual_projection.weight", KeyTransform.Transpose),
        ("visual.conv1.weight", "vision_model.embeddings.patch_embedding.weight", KeyTransform.Rename),
        ("visual.ln_pre.weight", "vision_model.pre_layrnorm.weight", KeyTransform.Rename),   // sic: HF spells it "layrnorm"
        ("visual.ln_pre.bias", "vision_model.pre_layrnorm.bias", KeyTransform.Rename),
        ("visual.ln_post.weight", "vision_model.post_layernorm.weight", KeyTransform.Rename),
        ("visual.ln_post.bias", "vision_model.post_layernorm.bias", KeyTransform.Rename),
    ];

    /// <summary>Text-tower and shared keys outside the blocks, in OpenAI state-dict order.</summary>
    public static IReadOnlyList<(string OpenAi, string Hf, KeyTransform Transform)> TextRules { get; } =
    [
        ("positional_embedding", "text_model.embeddings.position_embedding.weight", KeyTransform.Rename),
        ("text_projection", "text_projection.weight", KeyTransform.Transpose),
        ("logit_scale", "logit_scale", KeyTransform.Rename),
        ("token_embedding.weight", "text_model.embeddings.token_embedding.weight", KeyTransform.Rename),
        ("ln_final.weight", "text_model.final_layer_norm.weight", KeyTransform.Rename),
        ("ln_final.bias", "text_model.final_layer_norm.bias", KeyTransform.Rename),
    ];

    /// <summary>Block keys shared by dense and MoE blocks (suffixes after <c>{i}.</c>).</summary>
    public static IReadOnlyList<(string OpenAi, string Hf, KeyTransform Transform)> BlockRules { get; } =
    [
        ("ln_1.weight", "layer_norm1.weight", KeyTransform.Rename),
        ("ln_1.bias", "layer_norm1.bias", KeyTransform.Rename),
        ("attn.in_proj_weight", "self_attn.{0}_proj.weight", KeyTransform.SplitQkv),
        ("attn.in_proj_bias", "self_attn.{0}_proj.bias", KeyTransform.SplitQkv),
        ("attn.out_proj.weight", "self_attn.out_proj.weight", KeyTransform.Rename),
        ("attn.out_proj.bias", "self_attn.out_proj.bias", KeyTransform.Rename),
        ("ln_2.weight", "layer_norm2.weight", KeyTransform.Rename),
        ("ln_2.bias", "layer_norm2.bias", KeyTransform.Rename),
    ];

    /// <summary>The dense MLP of a block.</summary>
    public static IReadOnlyList<(string OpenAi, string Hf, KeyTransform Transform)> DenseMlpRules { get; } =
    [
        ("mlp.c_fc.weight", "mlp.fc1.weight", KeyTransform.Rename),
        ("mlp.c_fc.bias", "mlp.fc1.bias", KeyTransform.Rename),
        ("mlp.c_proj.weight", "mlp.fc2.weight", KeyTransform.Rename),
        ("mlp.c_proj.bias", "mlp.fc2.bias", KeyTransform.Rename),
    ];

    /// <summary>The MoE MLP of a block: router and stacked experts, stored input-major [E, in, out] in both schemes.</summary>
    public static IReadOnlyList<(string OpenAi, string Hf, KeyTransform Transform)> MoeMlpRules { get; } =
    [
        ("mlp.router.weight", "mlp.router.weight", KeyTransform.Rename),
        ("mlp.experts.c_fc_weight", "mlp.experts.fc1_weight", KeyTransform.Rename),
        ("mlp.experts.c_fc_bias", "mlp.experts.fc1_bias", KeyTransform.Rename),
        ("mlp.experts.c_proj_weight", "mlp.experts.fc2_weight", KeyTransform.Rename),
        ("mlp.experts.c_proj_bias", "mlp.experts.fc2_bias", KeyTransform.Rename),
    ];

    /// <summary>The key that marks block <c>i</c> as an MoE block (suffix after the block prefix).</summary>
    public const string MoeMarker = "mlp.router.weight";

    /// <summary>Every key mapping for a model with these block counts and MoE blocks, in state-dict order.</summary>
    public static IReadOnlyList<KeyMapping> Mappings(BlockLayout layout)
    {
        var list = new List<KeyMapping>();
        foreach (var (o, h, t) in VisionRules)
            list.Add(Map(o, h, t));
        AddBlocks(list, VisionBlocks, HfVisionBlocks, layout.VisionLayers, layout.VisionMoe);
        foreach (var (o, h, t) in TextRules)
            list.Add(Map(o, h, t));
        AddBlocks(list, TextBlocks, HfTextBlocks, layout.TextLayers, layout.TextMoe);
        return list;
    }

    private static void AddBlocks(List<KeyMapping> list, string prefix, string hfPrefix, int layers, IReadOnlyList<int> moe)
    {
        for (int i = 0; i < layers; i++)
        {
            var mlp = moe.Contains(i) ? MoeMlpRules : DenseMlpRules;
            foreach (var (o, h, t) in BlockRules.Concat(mlp))
                list.Add(Map($"{prefix}{i}.{o}", $"{hfPrefix}{i}.{h}", t));
        }
    }

    private static KeyMapping Map(string openAi, string hf, KeyTransform t) =>
        new(openAi, t == KeyTransform.SplitQkv ? [string.Format(hf, "q"), string.Format(hf, "k"), string.Format(hf, "v")] : [hf], t);

    private static readonly Regex BlockIndex = new(@"^(?<prefix>.*?\.(?:resblocks|layers)\.)(?<i>\d+)\.(?<rest>.+)$", RegexOptions.Compiled);

    /// <summary>Block counts and MoE blocks read off key names alone (no shapes), for either scheme.</summary>
    public static BlockLayout DetectLayout(IEnumerable<string> keys)
    {
        int vision = 0, text = 0;
        var visionMoe = new SortedSet<int>();
        var textMoe = new SortedSet<int>();
        foreach (var key in keys)
        {
            var m = BlockIndex.Match(key);
            if (!m.Success) continue;
            string prefix = m.Groups["prefix"].Value;
            bool isVision = prefix is VisionBlocks or HfVisionBlocks;
            if (!isVision && prefix is not (TextBlocks or HfTextBlocks)) continue;
            int i = int.Parse(m.Groups["i"].Value);
            bool moe = m.Groups["rest"].Value == MoeMarker;
            if (isVision)
            {
                vision = Math.Max(vision, i + 1);
                if (moe) visionMoe.Add(i);
            }
            else
            {
                text = Math.Max(text, i + 1);
                if (moe) textMoe.Add(i);
            }
        }
        return new BlockLayout(vision, text, [.. visionMoe], [.. textMoe]);
    }
}

/// <summary>How many blocks each tower has and which of them are MoE blocks (ascending indices).</summary>
public sealed record BlockLayout(int VisionLayers, int TextLayers, IReadOnlyList<int> VisionMoe, IReadOnlyList<int> TextMoe)
{
    public static BlockLayout Of(ClipArchitecture arch) =>
        new(arch.Vision.Layers, arch.Text.Layers, arch.Moe?.VisionLayers ?? [], arch.Moe?.TextLayers ?? []);
}
