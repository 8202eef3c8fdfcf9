using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClipUp.Io;

/// <summary>
/// Hugging Face <c>config.json</c> for <c>CLIPModel</c> (transformers' configuration_clip.py) to and from
/// <see cref="ClipArchitecture"/>. Parsing follows transformers: a missing field takes CLIPTextConfig/CLIPVisionConfig's
/// default (the ViT-B/32 values), the legacy <c>text_config_dict</c>/<c>vision_config_dict</c> override, and generic
/// PretrainedConfig fields are ignored. ClipUp's MoE settings travel in a <c>"clipup_moe"</c> object that transformers ignores.
/// </summary>
public static class HfClipConfig
{
    /// <summary>CLIPConfig's default <c>logit_scale_init_value</c>, ln(1/0.07).</summary>
    public const double LogitScaleInit = 2.6592;

    /// <summary>ClipUp's LayerNorms use PyTorch's default epsilon; a checkpoint with another one would compute different numbers.</summary>
    public const double LayerNormEps = 1e-5;

    public const string MoeKey = "clipup_moe";

    /// <summary>The config.json text (indented) that transformers' <c>CLIPModel.from_pretrained</c> reads for this architecture.</summary>
    public static string ToJson(ClipArchitecture arch)
    {
        arch.Validate();
        var (v, t) = (arch.Vision, arch.Text);
        string act = ActivationName(arch.Activation);
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray("CLIPModel"),
            ["model_type"] = "clip",
            ["projection_dim"] = arch.EmbedDim,
            ["logit_scale_init_value"] = LogitScaleInit,
            // Decimals, so that the file says 1.0 and 0.0 (a double 1.0 is written "1"): transformers 5 checks each
            // config field's type and refuses an int where it declares a float (seen with 5.17 on a GPU machine).
            ["initializer_factor"] = 1.0m,
            ["text_config"] = new JsonObject
            {
                ["model_type"] = "clip_text_model",
                ["hidden_size"] = t.Width,
                ["intermediate_size"] = t.MlpHidden,
                ["num_attention_heads"] = t.Heads,
                ["num_hidden_layers"] = t.Layers,
                ["max_position_embeddings"] = t.ContextLength,
                ["vocab_size"] = t.VocabSize,
                ["hidden_act"] = act,
                ["projection_dim"] = arch.EmbedDim,
                ["layer_norm_eps"] = LayerNormEps,
                ["attention_dropout"] = 0.0m,
                ["initializer_range"] = 0.02,
                ["initializer_factor"] = 1.0m,
                // OpenAI's tokenizer puts <|startoftext|> and <|endoftext|> at the top of the vocabulary (49406, 49407).
                // HF pools the text tower at the first eos_token_id unless every row's largest id is 49407; naming the
                // top id keeps that equal to OpenAI's argmax pooling for smaller vocabularies too. pad 1 is HF's default.
                ["bos_token_id"] = t.VocabSize - 2,
                ["eos_token_id"] = t.VocabSize - 1,
                ["pad_token_id"] = 1,
            },
            ["vision_config"] = new JsonObject
            {
                ["model_type"] = "clip_vision_model",
                ["hidden_size"] = v.Width,
                ["intermediate_size"] = v.MlpHidden,
                ["num_attention_heads"] = v.Heads,
                ["num_hidden_layers"] = v.Layers,
                ["image_size"] = v.ImageSize,
                ["patch_size"] = v.PatchSize,
                ["num_channels"] = 3,
                ["hidden_act"] = act,
                ["projection_dim"] = arch.EmbedDim,
                ["layer_norm_eps"] = LayerNormEps,
                ["attention_dropout"] = 0.0m,
                ["initializer_range"] = 0.02,
                ["initializer_factor"] = 1.0m,
            },
        };
        if (arch.Moe is { } moe)
        {
            var node = new JsonObject
            {
                ["num_experts"] = moe.NumExperts,
                ["top_k"] = moe.TopK,
                ["vision_layers"] = new JsonArray(moe.VisionLayers.Select(i => (JsonNode)i).ToArray()),
                ["text_layers"] = new JsonArray(moe.TextLayers.Select(i => (JsonNode)i).ToArray()),
            };
            if (moe.SettingsJson is not null) node["settings"] = JsonNode.Parse(moe.SettingsJson);
            root[MoeKey] = node;
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Parses config.json text; <paramref name="source"/> names the file in error messages.</summary>
    public static ClipArchitecture Parse(string json, string source = "config.json")
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source} is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not valid JSON: {e.Message}", e);
        }
        string modelType = Str(root, "model_type", "clip", source);
        if (modelType != "clip")
            throw new InvalidDataException($"{source} has model_type '{modelType}'; ClipUp reads CLIPModel configs (model_type 'clip')");

        var text = Section(root, "text_config", source);
        var vision = Section(root, "vision_config", source);
        string where = $"{source} text_config";
        string vwhere = $"{source} vision_config";
        var textAct = Activation(Str(text, "hidden_act", "quick_gelu", where), where);
        var visionAct = Activation(Str(vision, "hidden_act", "quick_gelu", vwhere), vwhere);
        if (textAct != visionAct)
            throw new InvalidDataException($"{source} uses hidden_act {ActivationName(textAct)} for text but {ActivationName(visionAct)} for vision; ClipUp uses one activation for both towers");
        RequireEps(text, where);
        RequireEps(vision, vwhere);
        int channels = Int(vision, "num_channels", 3, vwhere);
        if (channels != 3)
            throw new InvalidDataException($"{vwhere} has num_channels {channels}; ClipUp's image tower takes 3 (RGB)");

        var arch = new ClipArchitecture(
            Int(root, "projection_dim", 512, source),
            new VisionArchitecture(Int(vision, "image_size", 224, vwhere), Int(vision, "patch_size", 32, vwhere),
                Int(vision, "hidden_size", 768, vwhere), Int(vision, "num_hidden_layers", 12, vwhere),
                Int(vision, "num_attention_heads", 12, vwhere), Int(vision, "intermediate_size", 3072, vwhere)),
            new TextArchitecture(Int(text, "max_position_embeddings", 77, where), Int(text, "vocab_size", 49408, where),
                Int(text, "hidden_size", 512, where), Int(text, "num_hidden_layers", 12, where),
                Int(text, "num_attention_heads", 8, where), Int(text, "intermediate_size", 2048, where)),
            textAct,
            root[MoeKey] is JsonObject moe ? ParseMoe(moe, $"{source} {MoeKey}") : null);
        try
        {
            arch.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source} describes an impossible model: {e.Message}", e);
        }
        return arch;
    }

    public static string ActivationName(ClipActivation a) => a == ClipActivation.QuickGelu ? "quick_gelu" : "gelu";

    private static ClipActivation Activation(string name, string where) => name switch
    {
        "quick_gelu" => ClipActivation.QuickGelu,
        "gelu" => ClipActivation.Gelu,
        _ => throw new InvalidDataException($"{where} has hidden_act '{name}'; ClipUp supports 'gelu' and 'quick_gelu'"),
    };

    /// <summary>A sub-config with transformers' legacy <c>*_config_dict</c> entries laid over it.</summary>
    private static JsonObject Section(JsonObject root, string name, string source)
    {
        var merged = new JsonObject();
        foreach (var key in new[] { name, name + "_dict" })
        {
            var node = root[key];
            if (node is null) continue;
            if (node is not JsonObject obj) throw new InvalidDataException($"{source} has a '{key}' that is not an object");
            foreach (var (k, v) in obj) merged[k] = v?.DeepClone();
        }
        return merged;
    }

    private static MoeLayout ParseMoe(JsonObject moe, string where)
    {
        string[] known = ["num_experts", "top_k", "vision_layers", "text_layers", "settings"];
        foreach (var (k, _) in moe)
        {
            if (!known.Contains(k)) throw new InvalidDataException($"{where} has unknown key '{k}'; expected {string.Join(", ", known)}");
        }
        var settings = moe["settings"];
        if (settings is not null and not JsonObject) throw new InvalidDataException($"{where} settings must be an object");
        return new MoeLayout(Int(moe, "num_experts", null, where), Int(moe, "top_k", null, where),
            Layers(moe, "vision_layers", where), Layers(moe, "text_layers", where), settings?.ToJsonString());
    }

    private static int[] Layers(JsonObject obj, string key, string where) =>
        obj[key] switch
        {
            null => [],
            JsonArray a => a.Select((n, i) => n is JsonValue v && v.TryGetValue(out int x) ? x
                : throw new InvalidDataException($"{where} {key}[{i}] is {n?.ToJsonString() ?? "null"}, not an integer")).ToArray(),
            var other => throw new InvalidDataException($"{where} {key} is {other.ToJsonString()}, not an array of layer indices"),
        };

    private static void RequireEps(JsonObject obj, string where)
    {
        var node = obj["layer_norm_eps"];
        if (node is null) return;
        if (node is not JsonValue v || !v.TryGetValue(out double eps))
            throw new InvalidDataException($"{where} layer_norm_eps is {node.ToJsonString()}, not a number");
        if (Math.Abs(eps - LayerNormEps) > 1e-12)
            throw new InvalidDataException($"{where} has layer_norm_eps {eps.ToString(CultureInfo.InvariantCulture)}; ClipUp's LayerNorms use {LayerNormEps.ToString(CultureInfo.InvariantCulture)}");
    }

    private static int Int(JsonObject obj, string key, int? fallback, string where)
    {
        var node = obj[key];
        if (node is null)
            return fallback ?? throw new InvalidDataException($"{where} lacks '{key}'");
        if (node is JsonValue v && v.TryGetValue(out int x)) return x;
        if (node is JsonValue d && d.TryGetValue(out double y) && y == Math.Floor(y) && Math.Abs(y) <= int.MaxValue) return (int)y;
        throw new InvalidDataException($"{where} {key} is {node.ToJsonString()}, not an integer");
    }

    private static string Str(JsonObject obj, string key, string fallback, string where)
    {
        var node = obj[key];
        if (node is null) return fallback;
        return node is JsonValue v && v.TryGetValue(out string? s) ? s
            : throw new InvalidDataException($"{where} {key} is {node.ToJsonString()}, not a string");
    }
}
