using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>
/// LayerNorm that always normalises in fp32 and returns the input's dtype (open_clip's LayerNormFp32): in a bf16
/// model the mean/variance of a 768-wide row lose too much precision otherwise. Keys <c>weight</c>, <c>bias</c>.
/// </summary>
public sealed class LayerNormFp32 : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;
    public readonly Parameter bias;
    private readonly long[] shape;

    public LayerNormFp32(int width) : base(nameof(LayerNormFp32))
    {
        shape = [width];
        weight = nn.Parameter(torch.ones(width));
        bias = nn.Parameter(torch.zeros(width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dtype == ScalarType.Float32) return nn.functional.layer_norm(x, shape, weight, bias, 1e-5);
        return nn.functional.layer_norm(x.to(ScalarType.Float32), shape, weight.to(ScalarType.Float32), bias.to(ScalarType.Float32), 1e-5)
            .to(x.dtype);
    }
}
