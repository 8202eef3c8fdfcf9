using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>
/// The fp32 tensors the optimizer updates. In fp32 runs they are the model's own parameters; in bf16 runs they are
/// fp32 copies: gradients are copied up after backward and the updated masters are copied down before the next
/// forward, so small updates are not lost to bf16's 8-bit mantissa.
/// </summary>
public sealed class MasterWeights : IDisposable
{
    private readonly List<(Tensor Model, Tensor Master)> pairs = new();
    private readonly bool separate;

    public MasterWeights(nn.Module model, Precision precision, Func<string, long, bool> decays)
    {
        separate = precision != Precision.Fp32;
        var list = new List<OptimizedParameter>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            var master = separate
                ? p.detach().to(ScalarType.Float32).clone().requires_grad_(true)
                : p;
            pairs.Add((p, master));
            list.Add(new OptimizedParameter(name, master, decays(name, p.dim())));
        }
        Parameters = list;
    }

    public IReadOnlyList<OptimizedParameter> Parameters { get; }

    /// <summary>Copies model gradients into the masters (bf16 → fp32); a no-op in fp32 runs.</summary>
    public void GradientsToMasters()
    {
        if (!separate) return;
        using var _ = torch.no_grad();
        foreach (var (model, master) in pairs)
        {
            if (model.grad is null) continue;
            if (master.grad is null) master.grad = model.grad.to(ScalarType.Float32);
            else master.grad.copy_(model.grad);
        }
    }

    /// <summary>Writes the updated masters back into the model (fp32 → bf16); a no-op in fp32 runs.</summary>
    public void MastersToModel()
    {
        if (!separate) return;
        using var _ = torch.no_grad();
        foreach (var (model, master) in pairs) model.copy_(master);
    }

    /// <summary>Global L2 norm of the master gradients, clipped in place to <paramref name="maxNorm"/> (0 = no clip). Returns the norm before clipping (a device scalar).</summary>
    public Tensor ClipGradients(double maxNorm)
    {
        using var _ = torch.no_grad();
        var grads = pairs.Select(p => p.Master.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0) return torch.zeros(1);
        var norm = torch.stack(grads.Select(g => g.norm()).ToArray()).norm();
        if (maxNorm > 0)
        {
            var coef = (maxNorm / (norm + 1e-6)).clamp_max(1.0);
            foreach (var g in grads) g.mul_(coef);
        }
        return norm;
    }

    public void ZeroGradients()
    {
        foreach (var (model, master) in pairs)
        {
            model.grad?.zero_();
            if (separate) master.grad?.zero_();
        }
    }

    public void Dispose()
    {
        if (!separate) return;
        foreach (var (_, master) in pairs) master.Dispose();
    }
}
