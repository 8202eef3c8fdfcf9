using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Io;

/// <summary>A state dict in ClipUp's (OpenAI) keys plus what the import dropped or changed, one line each.</summary>
public sealed record ImportedWeights(Dictionary<string, Tensor> Tensors, IReadOnlyList<string> Notes);

/// <summary>
/// Pure conversions between state-dict key schemes (KEYS.md). ClipUp's own keys are the OpenAI/open_clip CLIP keys; the
/// other scheme is Hugging Face <c>CLIPModel</c>. Each conversion checks the exact key set first and throws
/// <see cref="StateDictKeyException"/> listing missing and unexpected keys. Results may share storage with the inputs
/// (renames are aliases, q/k/v splits are views): clone before mutating in place.
/// </summary>
public static class WeightMaps
{
    /// <summary>Non-parameter entries some OpenAI JIT exports and old open_clip checkpoints carry; dropped on import.</summary>
    public static IReadOnlyList<string> OpenAiNonParameterKeys { get; } = ["attn_mask", "input_resolution", "context_length", "vocab_size"];

    /// <summary>HF buffers (non-persistent in current transformers, saved by old versions); dropped on import, never exported.</summary>
    public static IReadOnlyList<string> HfBufferKeys { get; } = ["text_model.embeddings.position_ids", "vision_model.embeddings.position_ids"];

    /// <summary>The prefix <c>torch.nn.DataParallel</c>/DDP adds to every key of open_clip training checkpoints.</summary>
    public const string ModulePrefix = "module.";

    /// <summary>The OpenAI/ClipUp keys a model with this block layout has, in state-dict order.</summary>
    public static IReadOnlyList<string> OpenAiKeys(BlockLayout layout) => ClipKeys.Mappings(layout).Select(m => m.OpenAi).ToList();

    /// <summary>The HF <c>CLIPModel</c> keys a model with this block layout has (q, k, v split out), in state-dict order.</summary>
    public static IReadOnlyList<string> HuggingFaceKeys(BlockLayout layout) => ClipKeys.Mappings(layout).SelectMany(m => m.Hf).ToList();

    /// <summary>
    /// An OpenAI or open_clip state dict (also <c>open_clip_model.safetensors</c>) to ClipUp keys: names stay, a leading
    /// <c>module.</c> is stripped, <see cref="OpenAiNonParameterKeys"/> are dropped, and the key set must then be exact.
    /// </summary>
    public static ImportedWeights FromOpenClip(IReadOnlyDictionary<string, Tensor> state, string what = "open_clip state dict")
    {
        var notes = new List<string>();
        var renamed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        int stripped = 0;
        foreach (var (key, t) in state)
        {
            string k = key.StartsWith(ModulePrefix, StringComparison.Ordinal) ? key[ModulePrefix.Length..] : key;
            if (k != key) stripped++;
            if (OpenAiNonParameterKeys.Contains(k))
            {
                notes.Add($"ignored '{key}': a non-parameter entry of OpenAI JIT exports, not a weight");
                continue;
            }
            if (!renamed.TryAdd(k, t))
                throw new InvalidDataException($"{what} has both '{k}' and '{ModulePrefix}{k}'; keep one of them");
        }
        if (stripped > 0) notes.Add($"stripped the '{ModulePrefix}' prefix (DataParallel/DDP) from {stripped} keys");

        var layout = ClipKeys.DetectLayout(renamed.Keys);
        StateDictKeys.RequireExactly(OpenAiKeys(layout), renamed.Keys, what);
        var tensors = OpenAiKeys(layout).ToDictionary(k => k, k => renamed[k].alias(), StringComparer.Ordinal);
        return new ImportedWeights(tensors, notes);
    }

    /// <summary>A Hugging Face <c>CLIPModel</c> state dict to ClipUp keys: q/k/v concatenated into <c>in_proj</c>, projections transposed.</summary>
    public static ImportedWeights FromHuggingFace(IReadOnlyDictionary<string, Tensor> hf, string what = "HF CLIPModel state dict")
    {
        var notes = new List<string>();
        var keys = new List<string>();
        foreach (var key in hf.Keys)
        {
            if (HfBufferKeys.Contains(key)) notes.Add($"ignored '{key}': a buffer transformers rebuilds, not a weight");
            else keys.Add(key);
        }
        var mappings = ClipKeys.Mappings(ClipKeys.DetectLayout(keys));
        StateDictKeys.RequireExactly(mappings.SelectMany(m => m.Hf), keys, what);

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var m in mappings)
        {
            result[m.OpenAi] = m.Transform switch
            {
                KeyTransform.Rename => hf[m.Hf[0]].alias(),
                KeyTransform.Transpose => Transposed(hf[m.Hf[0]], m.Hf[0], what),
                KeyTransform.SplitQkv => ConcatQkv(m, hf, what),
                _ => throw new InvalidOperationException($"unhandled transform {m.Transform}"),
            };
        }
        return new ImportedWeights(result, notes);
    }

    /// <summary>ClipUp (OpenAI) keys to a Hugging Face <c>CLIPModel</c> state dict; the exact inverse of <see cref="FromHuggingFace"/>.</summary>
    public static Dictionary<string, Tensor> ToHuggingFace(IReadOnlyDictionary<string, Tensor> openAi, string what = "ClipUp state dict")
    {
        var mappings = ClipKeys.Mappings(ClipKeys.DetectLayout(openAi.Keys));
        StateDictKeys.RequireExactly(mappings.Select(m => m.OpenAi), openAi.Keys, what);

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var m in mappings)
        {
            var t = openAi[m.OpenAi];
            switch (m.Transform)
            {
                case KeyTransform.Rename:
                    result[m.Hf[0]] = t.alias();
                    break;
                case KeyTransform.Transpose:
                    result[m.Hf[0]] = Transposed(t, m.OpenAi, what);
                    break;
                case KeyTransform.SplitQkv:
                    if (t.dim() == 0 || t.shape[0] % 3 != 0)
                        throw new InvalidDataException($"{what}: '{m.OpenAi}' has shape [{string.Join(", ", t.shape)}]; its first dimension must be 3 × width (q, k, v)");
                    var parts = t.chunk(3, 0);
                    for (int i = 0; i < 3; i++) result[m.Hf[i]] = parts[i];
                    break;
            }
        }
        return result;
    }

    private static Tensor Transposed(Tensor t, string key, string what) =>
        t.dim() == 2 ? t.t().contiguous()
            : throw new InvalidDataException($"{what}: '{key}' has shape [{string.Join(", ", t.shape)}]; a projection must be 2-D to transpose");

    private static Tensor ConcatQkv(KeyMapping m, IReadOnlyDictionary<string, Tensor> hf, string what)
    {
        var (q, k, v) = (hf[m.Hf[0]], hf[m.Hf[1]], hf[m.Hf[2]]);
        if (!q.shape.SequenceEqual(k.shape) || !q.shape.SequenceEqual(v.shape) || q.dtype != k.dtype || q.dtype != v.dtype)
            throw new InvalidDataException(
                $"{what}: q/k/v of '{m.OpenAi}' differ: {Describe(m.Hf[0], q)}, {Describe(m.Hf[1], k)}, {Describe(m.Hf[2], v)}");
        return torch.cat([q, k, v], 0);
    }

    private static string Describe(string key, Tensor t) => $"'{key}' {t.dtype} [{string.Join(", ", t.shape)}]";
}
