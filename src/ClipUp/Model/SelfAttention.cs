using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>
/// Multi-head self-attention with PyTorch <c>nn.MultiheadAttention</c>'s parameter layout (<c>in_proj_weight</c> [3D, D],
/// <c>in_proj_bias</c> [3D], <c>out_proj</c>), so OpenAI/open_clip checkpoints load by name. Attention runs through
/// scaled_dot_product_attention, which picks flash/memory-efficient kernels on CUDA.
/// Axes: B batch, T tokens, D width, H heads, Dh = D/H.
/// </summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    public readonly Parameter in_proj_weight;
    public readonly Parameter in_proj_bias;
    public readonly Linear out_proj;
    private readonly int heads;
    private readonly bool causal;

    public SelfAttention(int width, int heads, bool causal) : base(nameof(SelfAttention))
    {
        if (width % heads != 0) throw new ArgumentException($"attention width {width} is not divisible by heads {heads}");
        this.heads = heads;
        this.causal = causal;
        in_proj_weight = nn.Parameter(torch.empty(3 * width, width));
        in_proj_bias = nn.Parameter(torch.zeros(3 * width));
        out_proj = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <summary>Whether <see cref="forward(Tensor)"/> masks future tokens (set at construction).</summary>
    public bool Causal => causal;

    public override Tensor forward(Tensor x) => forward(x, causal);

    /// <summary>Attention with the mask chosen per call: the shared backbone runs image tokens unmasked and text causally.</summary>
    public Tensor forward(Tensor x, bool causal)
    {
        var (b, t, d) = (x.shape[0], x.shape[1], x.shape[2]);
        var qkv = nn.functional.linear(x, in_proj_weight, in_proj_bias)   // [B, T, 3D]
            .view(b, t, 3, heads, d / heads).permute(2, 0, 3, 1, 4);     // [3, B, H, T, Dh]
        var y = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], null, 0.0, causal); // [B, H, T, Dh]
        return out_proj.call(y.transpose(1, 2).reshape(b, t, d));        // [B, T, D]
    }
}
