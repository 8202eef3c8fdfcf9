using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Io;

/// <summary>
/// ClipUp's side of <c>bench/reference/hf_parity.py</c>: the four tensors its <c>embeddings()</c> returns, computed by a
/// ClipUp model on the reference inputs. Features are the projected tower outputs [B, D]; embeds are the same rows
/// L2-normalised, as <c>CLIPModel.forward</c> returns them. All on the CPU, in float32.
/// </summary>
public sealed record ParityOutputs(Tensor ImageFeatures, Tensor TextFeatures, Tensor ImageEmbeds, Tensor TextEmbeds)
{
    public const string PixelValues = "pixel_values";
    public const string InputIds = "input_ids";

    /// <summary>
    /// Runs both towers of <paramref name="model"/> on <c>pixel_values</c> [B, 3, S, S] and <c>input_ids</c> [B, C] from
    /// <paramref name="inputs"/> (the tensors of <c>inputs.safetensors</c>) on <paramref name="device"/>, without gradients.
    /// </summary>
    public static ParityOutputs Compute(ClipModelBase model, IReadOnlyDictionary<string, Tensor> inputs, Device device)
    {
        var pixels = Input(inputs, PixelValues);
        var ids = Input(inputs, InputIds);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        model.eval();
        var image = model.EncodeImage(pixels.to(ScalarType.Float32).to(device)).to(ScalarType.Float32).cpu();   // [B, D]
        var text = model.EncodeText(ids.to(ScalarType.Int64).to(device)).to(ScalarType.Float32).cpu();          // [B, D]
        var result = new ParityOutputs(image, text,
            nn.functional.normalize(image, dim: -1), nn.functional.normalize(text, dim: -1));
        foreach (var t in result.ToDictionary().Values) t.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>The tensors under the names <c>hf_parity.py</c> reads and writes.</summary>
    public Dictionary<string, Tensor> ToDictionary() => new(StringComparer.Ordinal)
    {
        ["image_features"] = ImageFeatures,
        ["text_features"] = TextFeatures,
        ["image_embeds"] = ImageEmbeds,
        ["text_embeds"] = TextEmbeds,
    };

    private static Tensor Input(IReadOnlyDictionary<string, Tensor> inputs, string name) =>
        inputs.TryGetValue(name, out var t) ? t
            : throw new InvalidDataException($"parity inputs lack '{name}' (has {inputs.Count} tensors, first {string.Join(", ", inputs.Keys.Order(StringComparer.Ordinal).Take(3))}): use the inputs.safetensors that hf_parity.py make-reference wrote");
}
