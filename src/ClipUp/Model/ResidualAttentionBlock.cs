using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>A pre-LN transformer block: <c>x + attn(ln_1(x))</c>, then <c>x + mlp(ln_2(x))</c>. The MLP is dense or MoE.</summary>
public sealed class ResidualAttentionBlock : nn.Module<Tensor, Tensor>
{
    public readonly LayerNormFp32 ln_1;
    public readonly SelfAttention attn;
    public readonly LayerNormFp32 ln_2;
    public readonly nn.Module<Tensor, Tensor> mlp;

    public ResidualAttentionBlock(int width, int heads, bool causal, nn.Module<Tensor, Tensor> mlp) : base(nameof(ResidualAttentionBlock))
    {
        ln_1 = new LayerNormFp32(width);
        attn = new SelfAttention(width, heads, causal);
        ln_2 = new LayerNormFp32(width);
        this.mlp = mlp;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => forward(x, attn.Causal);

    /// <summary>The block with the attention mask chosen per call (see <see cref="SelfAttention.forward(Tensor, bool)"/>).</summary>
    public Tensor forward(Tensor x, bool causal)
    {
        x = x + attn.forward(ln_1.call(x), causal);
        return x + mlp.call(ln_2.call(x));
    }
}

/// <summary>A stack of residual blocks (open_clip's <c>transformer.resblocks.{i}</c>).</summary>
public sealed class Transformer : nn.Module<Tensor, Tensor>
{
    public readonly ModuleList<ResidualAttentionBlock> resblocks;

    public Transformer(Tower tower, int width, int layers, int heads, int hidden, Activation activation, bool causal, MlpFactory mlpFactory)
        : base(nameof(Transformer))
    {
        resblocks = nn.ModuleList(Enumerable.Range(0, layers)
            .Select(i => new ResidualAttentionBlock(width, heads, causal, mlpFactory(new MlpSite(tower, i, layers, width, hidden, activation))))
            .ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        foreach (var block in resblocks) x = block.call(x);
        return x;
    }

    /// <summary>All blocks with the attention mask chosen per call (the shared backbone's image and text passes).</summary>
    public Tensor forward(Tensor x, bool causal)
    {
        foreach (var block in resblocks) x = block.forward(x, causal);
        return x;
    }
}
