using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>Total parameters and those active per token (an MoE layer activates top-k of its E experts).</summary>
public sealed record ParameterCount(long Total, long Active)
{
    /// <summary>Counts every parameter; <paramref name="inactive"/> subtracts parameters a token does not use (MoE).</summary>
    public static ParameterCount Of(nn.Module module, long inactive = 0)
    {
        long total = module.parameters().Sum(p => p.numel());
        return new ParameterCount(total, total - inactive);
    }
}
