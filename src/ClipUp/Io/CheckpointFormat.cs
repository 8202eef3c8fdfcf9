namespace ClipUp.Io;

/// <summary>The weight-file schemes ClipUp reads.</summary>
public enum CheckpointScheme
{
    /// <summary>A transformers <c>save_pretrained</c> folder: <c>config.json</c> + <c>model.safetensors</c> with <c>CLIPModel</c> keys.</summary>
    HuggingFaceFolder,
    /// <summary>OpenAI/open_clip keys in safetensors (open_clip's hub file <c>open_clip_model.safetensors</c>, or any such export).</summary>
    OpenClipSafetensors,
    /// <summary>ClipUp's own file: OpenAI keys plus <c>__metadata__</c> <c>"format": "clipup"</c>.</summary>
    ClipUpSafetensors,
    /// <summary>
    /// A ClipUp training checkpoint (Training/Checkpoint.cs): OpenAI keys plus training state under <c>master.</c>,
    /// <c>adamw.</c> and <c>rng.</c>, and the run's JSON (with <c>model_config</c>) under <c>__metadata__</c> <c>"clipup"</c>.
    /// </summary>
    TrainingCheckpoint,
}

/// <summary>Where the weights (and config, if the scheme has one) of a detected checkpoint are.</summary>
public sealed record CheckpointLocation(CheckpointScheme Scheme, string WeightsPath, string? ConfigPath);

/// <summary>
/// Tells checkpoint schemes apart by file names and, for a single file, by its header alone (metadata and key names; no
/// tensor is read). Pickle checkpoints (<c>*.bin</c>, <c>*.pt</c>) and sharded HF folders are refused with the reason.
/// </summary>
public static class CheckpointFormat
{
    /// <summary>Metadata key and value that mark ClipUp's own files.</summary>
    public const string FormatKey = "format";
    public const string ClipUpFormat = "clipup";

    /// <summary>Metadata key under which ClipUp files carry their architecture as HF-style config JSON (<see cref="HfClipConfig"/>).</summary>
    public const string ConfigKey = "clipup_config";

    /// <summary>Metadata key under which training checkpoints carry the run's JSON (step, <c>model_config</c>, data position).</summary>
    public const string TrainingMetaKey = "clipup";

    /// <summary>Key prefixes of a training checkpoint's non-model tensors: fp32 masters, AdamW moments, RNG state.</summary>
    public static IReadOnlyList<string> TrainingStatePrefixes { get; } = ["master.", "adamw.", "rng."];

    /// <summary>True for a training checkpoint's optimizer, master-weight and RNG tensors (not model weights).</summary>
    public static bool IsTrainingState(string key) => TrainingStatePrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal));

    public const string HfWeightsName = "model.safetensors";
    public const string HfConfigName = "config.json";
    public const string OpenClipWeightsName = "open_clip_model.safetensors";
    public const string OpenClipConfigName = "open_clip_config.json";

    public static CheckpointLocation Detect(string path)
    {
        if (Directory.Exists(path)) return DetectFolder(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist", path);
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new NotSupportedException(PickleOrUnknown(path));
        return DetectFile(path);
    }

    private static CheckpointLocation DetectFolder(string dir)
    {
        string Join(string name) => Path.Combine(dir, name);
        if (File.Exists(Join("model.safetensors.index.json")))
            throw new NotSupportedException($"{dir} holds a sharded HF checkpoint (model.safetensors.index.json); ClipUp reads a single {HfWeightsName}: re-save with a larger max_shard_size");
        if (File.Exists(Join(HfWeightsName)) && File.Exists(Join(HfConfigName)))
            return new CheckpointLocation(CheckpointScheme.HuggingFaceFolder, Join(HfWeightsName), Join(HfConfigName));
        if (File.Exists(Join(OpenClipWeightsName)))
            return new CheckpointLocation(CheckpointScheme.OpenClipSafetensors, Join(OpenClipWeightsName),
                File.Exists(Join(OpenClipConfigName)) ? Join(OpenClipConfigName) : null);
        var files = Directory.GetFiles(dir, "*.safetensors");
        if (files.Length == 1) return DetectFile(files[0]);
        var names = Directory.GetFiles(dir).Select(Path.GetFileName).Order().Take(10);
        string reason = files.Length > 1 ? $"has {files.Length} .safetensors files and none is {HfWeightsName} with a {HfConfigName} or {OpenClipWeightsName}: pass the file itself"
            : Directory.GetFiles(dir).Any(f => f.EndsWith(".bin") || f.EndsWith(".pt") || f.EndsWith(".pth"))
                ? "holds only pickle checkpoints (.bin/.pt); ClipUp reads safetensors: convert with safetensors.torch.save_file"
                : "holds no .safetensors file";
        throw new NotSupportedException($"{dir} {reason} (files: {string.Join(", ", names)})");
    }

    private static CheckpointLocation DetectFile(string file)
    {
        using var st = SafeTensorsFile.Open(file);
        if (st.Metadata.ContainsKey(TrainingMetaKey))
            return new CheckpointLocation(CheckpointScheme.TrainingCheckpoint, file, null);
        if (st.Metadata.TryGetValue(FormatKey, out var format) && format == ClipUpFormat)
            return new CheckpointLocation(CheckpointScheme.ClipUpSafetensors, file, null);
        if (st.Names.Any(n => n.StartsWith("vision_model.", StringComparison.Ordinal) || n.StartsWith("text_model.", StringComparison.Ordinal)))
        {
            string config = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, HfConfigName);
            return File.Exists(config)
                ? new CheckpointLocation(CheckpointScheme.HuggingFaceFolder, file, config)
                : throw new NotSupportedException($"{file} has Hugging Face CLIPModel keys but no {HfConfigName} beside it: put the model's {HfConfigName} in the same folder");
        }
        if (st.Names.Any(n => n == "visual.conv1.weight" || n == WeightMaps.ModulePrefix + "visual.conv1.weight"))
        {
            string config = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, OpenClipConfigName);
            return new CheckpointLocation(CheckpointScheme.OpenClipSafetensors, file, File.Exists(config) ? config : null);
        }
        throw new NotSupportedException(
            $"{file} has neither CLIP keys (visual.conv1.weight, vision_model.*) nor ClipUp metadata; it may be another model or an open_clip variant with a custom text tower (first keys: {string.Join(", ", st.Names.Take(5))})");
    }

    private static string PickleOrUnknown(string path) =>
        path.EndsWith(".bin") || path.EndsWith(".pt") || path.EndsWith(".pth")
            ? $"{path} is a pickle checkpoint; ClipUp reads safetensors only (pickle can run code): convert it with safetensors.torch.save_file"
            : $"{path} is not a .safetensors file or a checkpoint folder";
}
