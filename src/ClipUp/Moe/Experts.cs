using ClipUp.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// E expert MLPs <c>c_fc → activation → c_proj</c> as stacked weights, stored input-major (the transpose of an
/// nn.Linear weight, megablocks' w1/w2 layout, KEYS.md "MoE blocks"): <c>c_fc_weight</c> [E, D, F], <c>c_fc_bias</c>
/// [E, F], <c>c_proj_weight</c> [E, F, D], <c>c_proj_bias</c> [E, D]. Expert e computes the same function as a dense
/// <see cref="Mlp"/> whose <c>c_fc.weight = c_fc_weight[e]ᵀ</c>. Axes: E experts, C capacity, D width, F hidden.
/// </summary>
public sealed class Experts : nn.Module<Tensor, Tensor>
{
    public readonly Parameter c_fc_weight;
    public readonly Parameter c_fc_bias;
    public readonly Parameter c_proj_weight;
    public readonly Parameter c_proj_bias;
    public Activation Activation { get; }
    public int Count { get; }

    /// <summary>Builds E experts initialised like ClipInit's dense MLPs (see <see cref="Initialize"/>).</summary>
    public Experts(int experts, int width, int hidden, Activation activation, int layers, Generator generator) : base(nameof(Experts))
    {
        if (experts < 1 || width < 1 || hidden < 1)
            throw new ArgumentException($"experts {experts}, width {width} and hidden {hidden} must be positive");
        Activation = activation;
        Count = experts;
        c_fc_weight = nn.Parameter(torch.empty(experts, width, hidden));
        c_fc_bias = nn.Parameter(torch.empty(experts, hidden));
        c_proj_weight = nn.Parameter(torch.empty(experts, hidden, width));
        c_proj_bias = nn.Parameter(torch.empty(experts, width));
        Initialize(layers, generator);
        RegisterComponents();
    }

    /// <summary>
    /// Each expert as <see cref="ClipInit.InitTransformer"/> initialises a dense MLP: c_fc N(0, (2D)⁻¹), c_proj
    /// N(0, D⁻¹·(2L)⁻¹); biases U(±1/√fan_in) as nn.Linear's default (here from the explicit generator).
    /// </summary>
    public void Initialize(int layers, Generator generator)
    {
        long width = c_fc_weight.shape[1], hidden = c_fc_weight.shape[2];
        using var _ = torch.no_grad();
        // Tensor.normal_ rather than nn.init.normal_, which ignores its generator in TorchSharp 0.107.
        c_fc_weight.normal_(0, Math.Pow(2 * width, -0.5), generator);
        c_proj_weight.normal_(0, Math.Pow(width, -0.5) * Math.Pow(2 * layers, -0.5), generator);
        c_fc_bias.uniform_(-Math.Pow(width, -0.5), Math.Pow(width, -0.5), generator);
        c_proj_bias.uniform_(-Math.Pow(hidden, -0.5), Math.Pow(hidden, -0.5), generator);
    }

    /// <param name="x">Expert buffers [E, C, D].</param>
    /// <returns>[E, C, D].</returns>
    public override Tensor forward(Tensor x)
    {
        // bmm + bias rather than baddbmm: TorchSharp 0.107's baddbmm does not broadcast a [E, 1, F] bias.
        var h = torch.bmm(x, c_fc_weight) + c_fc_bias.unsqueeze(1);                             // [E, C, F]
        return torch.bmm(Activations.Apply(h, Activation), c_proj_weight) + c_proj_bias.unsqueeze(1); // [E, C, D]
    }

    /// <summary>
    /// Each expert on its own rows, no padding (<see cref="GroupedDispatch"/>): <paramref name="x"/> [N, D] holds the rows
    /// of expert 0, then expert 1, …, <paramref name="counts"/>[e] of each; returns [N, D] in the same order.
    /// </summary>
    public Tensor ForwardGrouped(Tensor x, long[] counts)
    {
        if (counts.Length != Count || counts.Sum() != x.shape[0])
            throw new ArgumentException($"grouped experts got {x.shape[0]} rows with counts [{string.Join(", ", counts)}] for {Count} experts: counts must have one entry per expert and sum to the rows");
        var outputs = new List<Tensor>(Count);
        // unbind, not c_fc_weight[e]: its backward stacks the E gradients once, where E selects would each scatter
        // into a zero tensor of the full [E, D, F] size.
        Tensor[] w1 = c_fc_weight.unbind(0), b1 = c_fc_bias.unbind(0), w2 = c_proj_weight.unbind(0), b2 = c_proj_bias.unbind(0);
        long start = 0;
        for (int e = 0; e < Count; e++)
        {
            if (counts[e] == 0) continue;
            var rows = x.narrow(0, start, counts[e]);                                               // [n_e, D]
            var h = torch.addmm(b1[e], rows, w1[e], 1, 1);                                // [n_e, F]
            outputs.Add(torch.addmm(b2[e], Activations.Apply(h, Activation), w2[e], 1, 1)); // [n_e, D]
            start += counts[e];
        }
        return outputs.Count == 0 ? x.new_zeros(0, c_proj_weight.shape[2]) : torch.cat(outputs, 0);
    }
}
