using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Io;

/// <summary>A checkpoint loaded into a dense <see cref="ClipModel"/>: the model, where it came from and what the import noted.</summary>
public sealed record ImportedModel(ClipModel Model, CheckpointLocation Location, ClipArchitecture Architecture, IReadOnlyList<string> Notes);

/// <summary>
/// Brings a user's CLIP into ClipUp and back out: any <see cref="CheckpointScheme"/> (HF folder, open_clip safetensors,
/// ClipUp's own file, a ClipUp training checkpoint) becomes an fp32 <see cref="ClipModel"/> on the CPU, and a model
/// is written as an HF folder or a ClipUp file. Every key and shape is checked twice: by <see cref="ModelFiles.Load"/>
/// against the architecture, then against the built model's own state dict.
/// </summary>
public static class ModelImport
{
    /// <summary>
    /// Loads the dense CLIP at <paramref name="path"/> (file or folder; format detected). <paramref name="activationOverride"/>
    /// ("gelu" or "quick_gelu") is required for an open_clip file without <c>open_clip_config.json</c>, whose weights do
    /// not say; where the file does say, the override wins and a note records the change. <paramref name="headDim"/> is
    /// used only where heads are inferred from shapes (open_clip files): OpenAI's and open_clip's ViTs use 64.
    /// </summary>
    public static ImportedModel Import(string path, string? activationOverride = null, int headDim = ArchitectureInference.OpenAiHeadDim)
    {
        ClipActivation? overrideAct = activationOverride is null ? null : ArchitectureMapping.ParseActivation(activationOverride);
        var loaded = ModelFiles.Load(path, overrideAct, headDim);
        var notes = loaded.Notes.ToList();
        var arch = loaded.Architecture;
        if (overrideAct is { } act && act != arch.Activation)
        {
            notes.Add($"activation {HfClipConfig.ActivationName(arch.Activation)} from the file replaced by {HfClipConfig.ActivationName(act)} (override)");
            arch = arch with { Activation = act };
        }
        var dtypes = loaded.Tensors.Values.Select(t => t.dtype).Where(d => d != ScalarType.Float32).Distinct().ToList();
        if (dtypes.Count > 0) notes.Add($"converted {string.Join(", ", dtypes)} weights to Float32");

        string what = loaded.Location.WeightsPath;
        var model = new ClipModel(ArchitectureMapping.ToConfig(arch, what));
        try
        {
            LoadWeights(model, loaded.Tensors, what);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        foreach (var t in loaded.Tensors.Values) t.Dispose();
        return new ImportedModel(model, loaded.Location, arch, notes);
    }

    /// <summary>The dense model at <paramref name="path"/>; see <see cref="Import"/>.</summary>
    public static ClipModel LoadDense(string path, string? activationOverride = null, int headDim = ArchitectureInference.OpenAiHeadDim) =>
        Import(path, activationOverride, headDim).Model;

    /// <summary>
    /// Copies <paramref name="state"/> into <paramref name="model"/> (casting to each parameter's dtype). The key sets
    /// must be equal and every shape must match; otherwise nothing is copied and the error lists what differs.
    /// </summary>
    public static void LoadWeights(nn.Module model, IReadOnlyDictionary<string, Tensor> state, string what)
    {
        var target = model.state_dict();
        StateDictKeys.RequireExactly(target.Keys, state.Keys, what);
        var wrong = target.Where(p => !p.Value.shape.SequenceEqual(state[p.Key].shape))
            .Select(p => $"'{p.Key}' is [{string.Join(", ", state[p.Key].shape)}], the model's is [{string.Join(", ", p.Value.shape)}]")
            .ToList();
        if (wrong.Count > 0)
            throw new InvalidDataException($"{what} does not fit the model: {wrong.Count} shape mismatches: {string.Join("; ", wrong.Take(StateDictKeys.Listed))}");
        using var _ = torch.no_grad();
        foreach (var (key, t) in target) t.copy_(state[key]);
    }

    /// <summary>Writes <paramref name="model"/> as a transformers folder (<c>config.json</c> + <c>model.safetensors</c>).</summary>
    public static void SaveHuggingFace(ClipModel model, string folder) =>
        ModelFiles.SaveHuggingFace(folder, model.state_dict(), ArchitectureMapping.ToArchitecture(model.Config));

    /// <summary>Writes <paramref name="model"/> as ClipUp's own safetensors file (OpenAI keys, architecture in the metadata).</summary>
    public static void SaveClipUp(ClipModel model, string file, IReadOnlyDictionary<string, string>? metadata = null) =>
        ModelFiles.SaveClipUp(file, model.state_dict(), ArchitectureMapping.ToArchitecture(model.Config), metadata);
}
