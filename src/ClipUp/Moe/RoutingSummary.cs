using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// Everything the MoE layers of a model recorded in one step, taken by <see cref="Routing.Take"/>.
/// <see cref="AuxLoss"/> is the SUM of every report's weighted aux loss, i.e. summed over MoE layers and over the
/// modality calls of shared layers (AXLearn adds each layer's aux to the loss; megablocks averages over layers
/// instead, which makes the weights depth-dependent the other way). Null when the model recorded nothing (dense).
/// </summary>
public sealed record RoutingSummary(IReadOnlyList<RoutingReport> Reports, Tensor? AuxLoss)
{
    public static RoutingSummary Of(IReadOnlyList<RoutingReport> reports)
    {
        Tensor? total = null;
        foreach (var r in reports) total = total is null ? r.AuxLoss : total + r.AuxLoss;
        return new RoutingSummary(reports, total);
    }

    /// <summary>
    /// Per-layer scalars for metric logs, keyed <c>moe/{label}/{name}</c> (label as <see cref="RoutingReport.Label"/>
    /// with '_' for spaces): load_balance, z_loss, local_entropy, dropped_fraction, max_load (busiest expert's share
    /// of processed assignments × E; 1 = perfectly balanced), min_share (least-used expert's share). Detached tensors; no host sync.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Stats()
    {
        var stats = new Dictionary<string, Tensor>();
        foreach (var r in Reports)
        {
            var key = "moe/" + r.Label.Replace(' ', '_').Replace("(", "").Replace(")", "");
            stats[$"{key}/load_balance"] = r.LoadBalance.detach();
            stats[$"{key}/z_loss"] = r.ZLoss.detach();
            stats[$"{key}/local_entropy"] = r.LocalEntropy.detach();
            stats[$"{key}/dropped_fraction"] = r.DroppedFraction;
            stats[$"{key}/max_load"] = r.TokensPerExpert.max() / r.TokensPerExpert.sum().clamp_min(1) * r.NumExperts;
            // The least-used expert's share of assignments (0.01 = 1%): RouterCollapse watches it.
            stats[$"{key}/min_share"] = r.TokensPerExpert.min() / r.TokensPerExpert.sum().clamp_min(1);
        }
        return stats;
    }
}
