using System.Text.Json.Nodes;
using ClipUp.Io;
using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>
/// A checkpoint on disk is a safetensors file: model weights under their OpenAI/open_clip keys (so other tools read
/// them directly), training state under <c>master.</c>, <c>adamw.</c> and <c>rng.</c>, and the run's metadata as JSON in
/// <c>__metadata__["clipup"]</c>. <see cref="SafeTensors.Save"/> writes atomically; its reader's validation tells a file
/// cut short by a crash from a whole one.
/// </summary>
internal static class CheckpointFile
{
    private const string MetaKey = CheckpointFormat.TrainingMetaKey;

    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, JsonObject meta) =>
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { [MetaKey] = meta.ToJsonString(), ["format"] = "pt" });

    public static (Dictionary<string, Tensor> Tensors, JsonObject Meta) Read(string path)
    {
        using var file = Open(path);
        return (file.ReadAll(), Meta(file));
    }

    public static JsonObject ReadMetadata(string path)
    {
        using var file = Open(path);
        return Meta(file);
    }

    /// <summary>True when the file opens as a complete safetensors checkpoint; otherwise the reason.</summary>
    public static bool IsComplete(string path, out string reason)
    {
        try
        {
            using var file = Open(path);
            reason = "";
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            reason = e.Message;
            return false;
        }
    }

    private static SafeTensorsFile Open(string path)
    {
        var file = SafeTensors.Open(path);
        if (!file.Metadata.ContainsKey(MetaKey))
        {
            file.Dispose();
            throw new InvalidDataException($"{path} is a safetensors file but not a ClipUp training checkpoint (no '{MetaKey}' metadata)");
        }
        return file;
    }

    private static JsonObject Meta(SafeTensorsFile file) =>
        JsonNode.Parse(file.Metadata[MetaKey])?.AsObject() ?? throw new InvalidDataException($"{file.Path}: empty checkpoint metadata");
}
