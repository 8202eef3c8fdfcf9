using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>What a CLIP forward returns: L2-normalised embeddings of both modalities and the temperature exp(t), clamped at 100.</summary>
public sealed record ClipOutput(Tensor ImageEmbeds, Tensor TextEmbeds, Tensor LogitScale);

/// <summary>
/// The contract every CLIP variant meets (separated two-tower <see cref="ClipModel"/>, the shared one-tower backbone,
/// their MoE forms), so the trainer and evaluators work with any of them.
/// </summary>
public abstract class ClipModelBase : nn.Module<Tensor, Tensor, ClipOutput>
{
    protected ClipModelBase(string name) : base(name) { }

    /// <summary>The architecture this model was built from.</summary>
    public abstract ClipConfig Config { get; }

    /// <summary>The learned log-temperature <c>logit_scale</c> (scalar, initialised to ln(1/0.07)).</summary>
    public abstract Tensor LogitScaleParameter { get; }

    /// <summary>Images [B, 3, S, S] → unnormalised embeddings [B, E].</summary>
    public abstract Tensor EncodeImage(Tensor images);

    /// <summary>Token ids [B, T] (int64, end-of-text = the largest id in each row) → unnormalised embeddings [B, E].</summary>
    public abstract Tensor EncodeText(Tensor tokens);

    /// <summary>Both towers, normalised, with exp(logit_scale) clamped at 100 as in CLIP.</summary>
    public override ClipOutput forward(Tensor images, Tensor tokens)
    {
        var image = nn.functional.normalize(EncodeImage(images), dim: -1);
        var text = nn.functional.normalize(EncodeText(tokens), dim: -1);
        return new ClipOutput(image, text, LogitScaleParameter.exp().clamp_max(100.0));
    }
}
