using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>
/// The CLIP image tower (OpenAI layout): conv patch embedding, class token, learned positions, ln_pre, transformer,
/// ln_post on the class token, projection to the joint space. Axes: B batch, N = grid² patches, D width, E embed.
/// </summary>
public sealed class VisionTransformer : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv1;
    public readonly Parameter class_embedding;
    public readonly Parameter positional_embedding;
    public readonly LayerNormFp32 ln_pre;
    public readonly Transformer transformer;
    public readonly LayerNormFp32 ln_post;
    public readonly Parameter proj;
    private readonly VisionConfig config;

    public VisionTransformer(VisionConfig config, int embedDim, Activation activation, MlpFactory mlpFactory) : base(nameof(VisionTransformer))
    {
        config.Validate();
        this.config = config;
        int w = config.Width;
        conv1 = nn.Conv2d(3, w, kernel_size: config.PatchSize, stride: config.PatchSize, bias: false);
        class_embedding = nn.Parameter(torch.empty(w));
        positional_embedding = nn.Parameter(torch.empty(config.Tokens, w));
        ln_pre = new LayerNormFp32(w);
        transformer = new Transformer(Tower.Image, w, config.Layers, config.Heads, config.MlpHidden, activation, causal: false, mlpFactory);
        ln_post = new LayerNormFp32(w);
        proj = nn.Parameter(torch.empty(w, embedDim));
        RegisterComponents();
    }

    /// <summary>Images [B, 3, S, S] (normalised) → unnormalised embeddings [B, E].</summary>
    public override Tensor forward(Tensor images)
    {
        CheckShape(images);
        var x = conv1.call(images).flatten(2).transpose(1, 2);                             // [B, N, D]
        var cls = class_embedding.to(x.dtype).expand(x.shape[0], 1, -1);                   // [B, 1, D]
        x = torch.cat([cls, x], dim: 1) + positional_embedding.to(x.dtype);                // [B, N+1, D]
        x = transformer.call(ln_pre.call(x));
        return torch.matmul(ln_post.call(x[.., 0]), proj.to(x.dtype));                     // [B, E]
    }

    private void CheckShape(Tensor images)
    {
        int s = config.ImageSize;
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != s || images.shape[3] != s)
            throw new ArgumentException(
                $"expected images [B, 3, {s}, {s}], got [{string.Join(", ", images.shape)}]: resize/crop to {s} px (the model's ImageSize)");
    }
}
