using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>
/// CLIP's symmetric InfoNCE (Radford et al. 2021, Fig. 3): logits = s · I·Tᵀ with the learned temperature s, then the
/// mean of the image→text and text→image cross-entropies against the diagonal. Computed in fp32 whatever the
/// compute dtype, because the softmax over the batch is where bf16 loses the most.
/// </summary>
public static class ContrastiveLoss
{
    /// <param name="output">Normalised embeddings [B, E] of both modalities and the clamped exp(logit_scale).</param>
    /// <returns>A scalar fp32 loss.</returns>
    public static Tensor Compute(ClipOutput output)
    {
        var image = output.ImageEmbeds.to(ScalarType.Float32);
        var text = output.TextEmbeds.to(ScalarType.Float32);
        if (image.shape[0] != text.shape[0])
            throw new ArgumentException($"contrastive loss needs as many images as texts, got {image.shape[0]} and {text.shape[0]}");
        var logits = output.LogitScale.to(ScalarType.Float32) * torch.matmul(image, text.t());   // [B, B]
        var labels = torch.arange(logits.shape[0], device: logits.device);
        return (nn.functional.cross_entropy(logits, labels) + nn.functional.cross_entropy(logits.t(), labels)) / 2;
    }
}
