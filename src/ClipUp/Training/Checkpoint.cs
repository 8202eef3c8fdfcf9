using System.Text.Json;
using System.Text.Json.Nodes;
using ClipUp.Io;
using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>
/// Crash-safe training checkpoints: model weights under their OpenAI/open_clip keys, fp32 masters (bf16 runs),
/// AdamW moments, the CPU RNG and the data position, in one file written to a temporary name, flushed to disk and
/// renamed, so a crash leaves either the old file or the new one, never half of one. The newest
/// <c>keep</c> are kept. <see cref="FindLatest"/> skips damaged files with a warning (<c>--resume auto</c>).
/// </summary>
public static class Checkpoint
{
    public const string Extension = ".safetensors";

    /// <summary>Writes <c>step-NNNNNNNN.safetensors</c> into <paramref name="directory"/> and prunes older ones; returns its path.</summary>
    public static string Save(string directory, ClipModelBase model, Trainer trainer, TrainingState state, int keep)
    {
        Directory.CreateDirectory(directory);
        // A process killed during a write leaves its temporary file behind; the run owns this folder, so clear them.
        foreach (var stale in Directory.GetFiles(directory, "*.tmp")) File.Delete(stale);
        var (tensors, meta) = Collect(model, trainer, state);
        var path = Path.Combine(directory, $"step-{state.Step:D8}{Extension}");
        CheckpointFile.Write(path, tensors, meta);
        foreach (var old in List(directory).SkipLast(keep)) File.Delete(old);
        return path;
    }

    private static (Dictionary<string, Tensor> Tensors, JsonObject Meta) Collect(ClipModelBase model, Trainer trainer, TrainingState state)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, t) in model.state_dict()) tensors[name] = t;
        foreach (var p in trainer.Masters)
            if (!ReferenceEquals(p.Master, model.get_parameter(p.Name))) tensors[$"master.{p.Name}"] = p.Master;
        foreach (var (name, t) in trainer.Optimizer.StateTensors()) tensors[name] = t;
        tensors["rng.cpu"] = state.CpuRngState;
        var meta = new JsonObject
        {
            ["format"] = "clipup-checkpoint/1",
            ["step"] = state.Step,
            ["optimizer_steps"] = state.OptimizerSteps,
            ["data_epoch"] = state.Data.Epoch,
            ["data_index"] = state.Data.Index,
            ["model_config"] = JsonSerializer.SerializeToNode(model.Config, Io.JsonConfig.Options),
            ["clipup_version"] = Info.Version,
            ["created_utc"] = DateTime.UtcNow.ToString("O"),
        };
        return (tensors, meta);
    }

    /// <summary>Writes a checkpoint to an exact path (the best one), outside the step-numbered rotation; extra metadata is merged in.</summary>
    public static string SaveAs(string path, ClipModelBase model, Trainer trainer, TrainingState state, JsonObject extra)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var (tensors, meta) = Collect(model, trainer, state);
        foreach (var (k, v) in extra) meta[k] = v?.DeepClone();
        CheckpointFile.Write(path, tensors, meta);
        return path;
    }

    /// <summary>
    /// Restores weights, masters, optimizer moments, RNG and data position into a trainer built for the same model.
    /// A checkpoint of another architecture fails with the mismatched keys listed.
    /// </summary>
    public static TrainingState Restore(string path, ClipModelBase model, Trainer trainer, ITrainingStream data)
    {
        var (tensors, meta) = CheckpointFile.Read(path);
        LoadModel(model, tensors, path);
        using (torch.no_grad())
        {
            foreach (var p in trainer.Masters)
                if (tensors.TryGetValue($"master.{p.Name}", out var m)) p.Master.copy_(m);
        }
        var state = new TrainingState((int)meta["step"]!, (long)meta["optimizer_steps"]!,
            new StreamPosition((int)meta["data_epoch"]!, (long)meta["data_index"]!), tensors["rng.cpu"]);
        trainer.Optimizer.LoadState(tensors, state.OptimizerSteps);
        torch.set_rng_state(state.CpuRngState);
        data.Seek(state.Data);
        return state;
    }

    /// <summary>Loads model weights by key; every key must match in name and shape.</summary>
    public static void LoadModel(nn.Module model, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var expected = model.state_dict();
        var missing = expected.Keys.Where(k => !tensors.ContainsKey(k)).ToList();
        var unexpected = tensors.Keys.Where(k => !expected.ContainsKey(k) && !IsTrainingKey(k)).ToList();
        var wrongShape = expected.Keys.Where(k => tensors.TryGetValue(k, out var t) && !t.shape.SequenceEqual(expected[k].shape))
            .Select(k => $"{k} [{string.Join(", ", tensors[k].shape)}] vs model [{string.Join(", ", expected[k].shape)}]").ToList();
        if (missing.Count + unexpected.Count + wrongShape.Count > 0)
            throw new InvalidDataException(
                $"{source} does not fit this model (another architecture or MoE layout?). " +
                Describe("missing", missing) + Describe("unexpected", unexpected) + Describe("shape mismatch", wrongShape) +
                "Build the model with the checkpoint's own config (its metadata holds it) or convert the weights.");
        using var _ = torch.no_grad();
        foreach (var (k, t) in expected) t.copy_(tensors[k]);
    }

    /// <summary>Checkpoints in <paramref name="directory"/>, oldest first.</summary>
    public static IReadOnlyList<string> List(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, "step-*" + Extension).OrderBy(p => p, StringComparer.Ordinal).ToList()
            : [];

    /// <summary>
    /// The newest checkpoint that reads back completely; damaged ones are reported through <paramref name="warn"/> and
    /// skipped. With <paramref name="moveDamagedAside"/> (resume, which owns the folder) a damaged file is renamed
    /// <c>….safetensors.damaged</c>: it is kept for inspection but no longer counts as one of the
    /// <c>keep_last_checkpoints</c>, so the next save does not prune a good checkpoint in its place.
    /// </summary>
    public static string? FindLatest(string directory, Action<string>? warn = null, bool moveDamagedAside = false)
    {
        foreach (var path in List(directory).Reverse())
        {
            if (CheckpointFile.IsComplete(path, out var reason)) return path;
            if (!moveDamagedAside)
            {
                warn?.Invoke($"warning: skipping damaged checkpoint {path}: {reason}");
                continue;
            }
            string aside = path + ".damaged";
            for (int i = 1; File.Exists(aside); i++) aside = $"{path}.damaged.{i}";
            File.Move(path, aside);
            warn?.Invoke($"warning: skipping damaged checkpoint {path} ({reason}); moved aside to {Path.GetFileName(aside)}");
        }
        return null;
    }

    /// <summary>The metadata of a checkpoint (step, model config, data position) without loading its tensors.</summary>
    public static JsonObject ReadMetadata(string path) => CheckpointFile.ReadMetadata(path);

    private static bool IsTrainingKey(string k) => CheckpointFormat.IsTrainingState(k);

    private static string Describe(string what, List<string> keys) =>
        keys.Count == 0 ? "" : $"{keys.Count} {what}: {string.Join(", ", keys.Take(20))}{(keys.Count > 20 ? ", …" : "")}. ";
}
