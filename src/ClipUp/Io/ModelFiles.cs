using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace ClipUp.Io;

/// <summary>A checkpoint read into ClipUp (OpenAI) keys, with the architecture it describes and what the import noted.</summary>
public sealed record LoadedWeights(
    CheckpointLocation Location, ClipArchitecture Architecture, Dictionary<string, Tensor> Tensors,
    IReadOnlyList<string> Notes, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Loads any <see cref="CheckpointScheme"/> into ClipUp keys and saves ClipUp's own file or an HF folder. Every load checks
/// the exact key set and every shape against the architecture, so a model built from <see cref="LoadedWeights.Architecture"/>
/// can take the tensors with a strict load.
/// </summary>
public static class ModelFiles
{
    /// <summary>
    /// Reads the checkpoint at <paramref name="path"/> (file or folder). The architecture comes from config.json (HF),
    /// the <c>clipup_config</c> metadata (ClipUp), the run metadata's <c>model_config</c> (training checkpoints), or the shapes (open_clip, and ClipUp files without it). Shapes do
    /// not say the activation: pass <paramref name="activation"/>, or for open_clip let <c>open_clip_config.json</c>'s
    /// <c>quick_gelu</c> decide. <paramref name="headDim"/> and <paramref name="moeTopK"/> are used only when inferring.
    /// </summary>
    public static LoadedWeights Load(string path, ClipActivation? activation = null, int headDim = ArchitectureInference.OpenAiHeadDim, int? moeTopK = null)
    {
        var location = CheckpointFormat.Detect(path);
        string what = location.WeightsPath;
        using var file = SafeTensorsFile.Open(location.WeightsPath);
        var raw = file.ReadAll();
        var metadata = file.Metadata;

        ImportedWeights imported;
        ClipArchitecture arch;
        switch (location.Scheme)
        {
            case CheckpointScheme.HuggingFaceFolder:
                arch = HfClipConfig.Parse(File.ReadAllText(location.ConfigPath!), location.ConfigPath!);
                imported = WeightMaps.FromHuggingFace(raw, what);
                break;
            case CheckpointScheme.ClipUpSafetensors:
                imported = WeightMaps.FromOpenClip(raw, what);
                arch = metadata.TryGetValue(CheckpointFormat.ConfigKey, out var config)
                    ? HfClipConfig.Parse(config, $"{what} metadata '{CheckpointFormat.ConfigKey}'")
                    : ArchitectureInference.FromOpenAi(imported.Tensors, activation ?? throw NeedActivation(what), headDim, moeTopK, what);
                break;
            case CheckpointScheme.TrainingCheckpoint:
                imported = FromTrainingCheckpoint(raw, what);
                arch = TrainingArchitecture(metadata, what);
                break;
            default:
                imported = WeightMaps.FromOpenClip(raw, what);
                arch = ArchitectureInference.FromOpenAi(imported.Tensors, activation ?? OpenClipActivation(location) ?? throw NeedActivation(what), headDim, moeTopK, what);
                break;
        }
        ClipShapes.Require(imported.Tensors, arch, what);
        return new LoadedWeights(location, arch, imported.Tensors, imported.Notes, metadata);
    }

    /// <summary>
    /// Writes ClipUp's own file: OpenAI keys, <c>"format": "clipup"</c> and the architecture under <c>clipup_config</c>,
    /// plus <paramref name="metadata"/> (which may not override those two keys). Atomic, like <see cref="SafeTensors.Save"/>.
    /// </summary>
    public static void SaveClipUp(string path, IReadOnlyDictionary<string, Tensor> state, ClipArchitecture arch, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ClipShapes.Require(state, arch, "state dict to save");
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>());
        foreach (var reserved in new[] { CheckpointFormat.FormatKey, CheckpointFormat.ConfigKey })
        {
            if (meta.ContainsKey(reserved))
                throw new ArgumentException($"metadata key '{reserved}' is written by SaveClipUp itself: use another key");
        }
        meta[CheckpointFormat.FormatKey] = CheckpointFormat.ClipUpFormat;
        meta[CheckpointFormat.ConfigKey] = HfClipConfig.ToJson(arch);
        SafeTensors.Save(path, state, meta);
    }

    /// <summary>
    /// Writes a transformers folder: <c>model.safetensors</c> in <c>CLIPModel</c> keys with metadata <c>"format": "pt"</c>
    /// (transformers refuses safetensors files without it) and <c>config.json</c>. A dense model loads with
    /// <c>CLIPModel.from_pretrained(folder)</c>; an MoE model keeps its experts under ClipUp's keys (KEYS.md), which
    /// transformers' CLIPModel cannot run.
    /// </summary>
    public static void SaveHuggingFace(string folder, IReadOnlyDictionary<string, Tensor> state, ClipArchitecture arch)
    {
        ClipShapes.Require(state, arch, "state dict to export");
        Directory.CreateDirectory(folder);
        var hf = WeightMaps.ToHuggingFace(state);
        SafeTensors.Save(Path.Combine(folder, CheckpointFormat.HfWeightsName), hf, new Dictionary<string, string> { ["format"] = "pt" });
        WriteTextAtomic(Path.Combine(folder, CheckpointFormat.HfConfigName), HfClipConfig.ToJson(arch) + "\n");
    }

    /// <summary>Writes text through <c>path.tmp</c>, flushed to disk, then renamed over <paramref name="path"/>.</summary>
    public static void WriteTextAtomic(string path, string text)
    {
        string tmp = path + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                fs.Write(System.Text.Encoding.UTF8.GetBytes(text));
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    /// <summary>The model's weights of a training checkpoint: masters, AdamW moments and RNG state are dropped with a note.</summary>
    private static ImportedWeights FromTrainingCheckpoint(Dictionary<string, Tensor> raw, string what)
    {
        var state = raw.Where(p => !CheckpointFormat.IsTrainingState(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var imported = WeightMaps.FromOpenClip(state, what);
        int dropped = raw.Count - state.Count;
        return dropped == 0 ? imported
            : imported with { Notes = [$"ignored {dropped} training-state tensors ({string.Join(", ", CheckpointFormat.TrainingStatePrefixes)}*)", .. imported.Notes] };
    }

    /// <summary>The architecture of a training checkpoint: its run metadata's <c>model_config</c> (a <see cref="Model.ClipConfig"/>).</summary>
    private static ClipArchitecture TrainingArchitecture(IReadOnlyDictionary<string, string> metadata, string what)
    {
        string where = $"{what} metadata '{CheckpointFormat.TrainingMetaKey}'";
        var run = JsonNode.Parse(metadata[CheckpointFormat.TrainingMetaKey]) as JsonObject
            ?? throw new InvalidDataException($"{where} is not a JSON object");
        var config = run["model_config"] ?? throw new InvalidDataException($"{where} has no model_config: the checkpoint predates ClipUp's run metadata");
        return ArchitectureMapping.ToArchitecture(JsonConfig.Parse<Model.ClipConfig>(config.ToJsonString(), $"{where} model_config"));
    }

    /// <summary>open_clip's <c>model_cfg.quick_gelu</c> (open_clip defaults to GELU when it is absent); null without a config file.</summary>
    private static ClipActivation? OpenClipActivation(CheckpointLocation location)
    {
        if (location.ConfigPath is null) return null;
        var root = JsonNode.Parse(File.ReadAllText(location.ConfigPath));
        var quick = root?["model_cfg"]?["quick_gelu"];
        return quick is JsonValue v && v.TryGetValue(out bool b) && b ? ClipActivation.QuickGelu : ClipActivation.Gelu;
    }

    private static ArgumentException NeedActivation(string what) =>
        new($"{what} does not say which activation its MLPs use: pass activation (QuickGelu for OpenAI's weights, Gelu for most open_clip models)");
}
