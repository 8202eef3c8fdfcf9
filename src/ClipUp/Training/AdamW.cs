using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019) with decoupled weight decay, over fp32 master tensors. Written here rather than
/// using TorchSharp's optimizer so that its state is plain named tensors (checkpointed beside the weights, exactly
/// restorable) and so that bf16 models can keep fp32 masters (<see cref="MasterWeights"/>).
/// The update per parameter p with gradient g at step t (1-based):
/// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − lr·wd·p − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly IReadOnlyList<OptimizedParameter> parameters;
    private readonly Dictionary<string, (Tensor M, Tensor V)> moments = new();

    public AdamW(IReadOnlyList<OptimizedParameter> parameters, double beta1 = 0.9, double beta2 = 0.98, double eps = 1e-6, double weightDecay = 0.2)
    {
        this.parameters = parameters;
        Beta1 = beta1; Beta2 = beta2; Eps = eps; WeightDecay = weightDecay;
        foreach (var p in parameters)
            moments[p.Name] = (torch.zeros_like(p.Master), torch.zeros_like(p.Master));
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }

    /// <summary>Optimizer steps taken so far (restored from checkpoints).</summary>
    public long Steps { get; private set; }

    /// <summary>One update with learning rate <paramref name="lr"/>; parameters without a gradient are skipped.</summary>
    public void Step(double lr)
    {
        Steps++;
        double bc1 = 1 - Math.Pow(Beta1, Steps), bc2 = 1 - Math.Pow(Beta2, Steps);
        using var _ = torch.no_grad();
        // Explicit Scalars, alive until the loop ends: an implicit one (a literal passed to mul_) may be finalized by the
        // GC while libtorch still reads it (TorchSharp holds a bare IntPtr), which crashed runs on a loaded machine.
        using Scalar beta1 = Beta1, keep1 = 1 - Beta1, beta2 = Beta2, keep2 = 1 - Beta2, eps = Eps, bias2 = bc2,
            decay = 1 - lr * WeightDecay, stepSize = -lr / bc1;
        foreach (var p in parameters)
        {
            var g = p.Master.grad;
            if (g is null) continue;
            var (m, v) = moments[p.Name];
            m.mul_(beta1).add_(g, alpha: keep1);
            v.mul_(beta2).addcmul_(g, g, value: keep2);
            if (p.Decay && WeightDecay != 0) p.Master.mul_(decay);
            using var denom = v.div(bias2).sqrt_().add_(eps);
            p.Master.addcdiv_(m, denom, value: stepSize);
        }
    }

    /// <summary>The optimizer state as named tensors (<c>adamw.m.{name}</c>, <c>adamw.v.{name}</c>) for checkpoints.</summary>
    public Dictionary<string, Tensor> StateTensors()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, (m, v)) in moments)
        {
            state[$"adamw.m.{name}"] = m;
            state[$"adamw.v.{name}"] = v;
        }
        return state;
    }

    /// <summary>Restores moments and the step count written by <see cref="StateTensors"/>.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, long steps)
    {
        using var _ = torch.no_grad();
        foreach (var (name, (m, v)) in moments)
        {
            if (!state.TryGetValue($"adamw.m.{name}", out var ms) || !state.TryGetValue($"adamw.v.{name}", out var vs))
                throw new InvalidDataException($"checkpoint has no optimizer state for parameter '{name}': resume from a checkpoint of the same model, or pass --reset-optimizer");
            m.copy_(ms);
            v.copy_(vs);
        }
        Steps = steps;
    }

    public void Dispose()
    {
        foreach (var (m, v) in moments.Values) { m.Dispose(); v.Dispose(); }
    }
}

/// <summary>A parameter as the optimizer sees it: its state-dict name, the fp32 master tensor, and whether it decays.</summary>
public sealed record OptimizedParameter(string Name, Tensor Master, bool Decay);
