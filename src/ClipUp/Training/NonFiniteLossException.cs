using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>Thrown after too many consecutive non-finite steps; the message says where the non-finite values are.</summary>
public sealed class NonFiniteLossException(int step, int inARow, string diagnosis, string? lastCheckpoint)
    : Exception($"training stopped at step {step}: {inARow} consecutive steps had a non-finite loss or gradient norm. " +
                $"{diagnosis} Last good checkpoint: {lastCheckpoint ?? "none written yet"}. " +
                "Try a lower learning rate, bf16→fp32, a smaller router init or a stronger z-loss, then resume.")
{
    public int Step { get; } = step;
}

/// <summary>Finds the first parameters and gradients that hold NaN/Inf, by name (layer, router), for the error message.</summary>
public static class NonFiniteDiagnosis
{
    public static string Describe(nn.Module model)
    {
        var bad = new List<string>();
        using var _ = torch.no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!torch.isfinite(p).all().item<bool>()) bad.Add($"{name} (weights)");
            else if (p.grad is { } g && !torch.isfinite(g).all().item<bool>()) bad.Add($"{name} (gradient)");
            if (bad.Count >= 5) break;
        }
        return bad.Count == 0
            ? "All parameters and gradients are finite, so the loss itself overflowed (check the inputs and logit_scale)."
            : $"Non-finite values first appear in: {string.Join(", ", bad)}.";
    }
}
