using ClipUp.Runtime;
using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// What one MoE call (one layer, one modality) did, kept as tensors so the forward pass never waits for the device
/// (STYLE R19); convert with <see cref="RoutingPlots"/> or <c>.item</c> when logging. Loss tensors are fp32 scalars that
/// carry gradients; counts are fp32 [E] or scalars without gradients.
/// <see cref="AuxLoss"/> is the weighted sum of the terms this layer adds to the training loss (<see cref="MoeConfig.Aux"/>);
/// under expert choice the balance terms (load balance, importance, load) are reported but not added, since the
/// routing is balanced by construction (vmoe reports auxiliary_loss 0 for it).
/// </summary>
/// <param name="Tower">Where the layer sits (Image, Text, or Shared for a one-tower backbone).</param>
/// <param name="Layer">Block index within its tower.</param>
/// <param name="Modality">Which tokens this call routed (Image or Text; Shared if a shared model did not say).</param>
/// <param name="Tokens">T, tokens routed together (batch × sequence).</param>
/// <param name="Capacity">C, slots per expert in this call.</param>
/// <param name="Load">V-MoE load loss, null when no router noise was applied (eval, or NoiseStd 0).</param>
/// <param name="LocalEntropy">Mean per-token routing entropy (nats).</param>
/// <param name="GlobalEntropy">Entropy of the mean routing distribution (nats).</param>
/// <param name="LimoeGlobal">max(0, τ − GlobalEntropy).</param>
/// <param name="RoutedPerExpert">[E] assignments that chose each expert, before capacity.</param>
/// <param name="TokensPerExpert">[E] assignments each expert processed (after capacity).</param>
/// <param name="DroppedAssignments">(token, expert) pairs that found the expert full.</param>
/// <param name="DroppedTokens">Tokens processed by no expert (their MoE output is zero).</param>
public sealed record RoutingReport(
    Tower Tower, int Layer, Tower Modality, RouterKind Router, int Tokens, int NumExperts, int TopK, int Capacity,
    Tensor AuxLoss, Tensor LoadBalance, Tensor ZLoss, Tensor Importance, Tensor? Load,
    Tensor LocalEntropy, Tensor GlobalEntropy, Tensor LimoeGlobal,
    Tensor RoutedPerExpert, Tensor TokensPerExpert, Tensor DroppedAssignments, Tensor DroppedTokens)
{
    /// <summary>Dropped tokens / T.</summary>
    public Tensor DroppedFraction => DroppedTokens / Tokens;

    /// <summary>A short row label such as <c>image L1</c> or <c>shared L3 (text)</c>.</summary>
    public string Label => Tower == Tower.Shared
        ? $"shared L{Layer} ({Modality.ToString().ToLowerInvariant()})"
        : $"{Tower.ToString().ToLowerInvariant()} L{Layer}";

    /// <summary>Computes the losses and counts of one MoE call (pure; used by <see cref="MoeMlp"/>).</summary>
    public static RoutingReport Create(MlpSite site, Tower modality, MoeConfig config, RouterOutput route,
        Assignments assignments, DispatchResult result, int capacity, bool training)
    {
        var w = config.Aux;
        var lb = AuxLosses.LoadBalance(route.Probs, route.ExpertIndex, config.LoadBalanceCounting);
        var z = AuxLosses.ZLoss(route.Logits);
        var importance = AuxLosses.Importance(nn.functional.softmax(route.Logits, -1)); // vmoe: before noise
        var load = training && config.NoiseStd > 0
            ? AuxLosses.Load(route.Logits, route.RoutingLogits, config.NoiseStd / config.NumExperts, config.TopK)
            : null;
        var local = AuxLosses.LocalEntropy(route.Probs);
        var global = AuxLosses.GlobalEntropy(route.Probs);
        var limoeGlobal = nn.functional.relu(w.LimoeGlobalThreshold - global);

        bool balanceTerms = config.Router == RouterKind.TokenChoice;
        var aux = z * w.ZLoss + local * w.LimoeLocal + limoeGlobal * w.LimoeGlobal;
        if (balanceTerms) aux = aux + lb * w.LoadBalance + importance * w.Importance;
        if (balanceTerms && load is not null) aux = aux + load * w.Load;

        using var _ = torch.no_grad();
        var kept = result.Kept.to(ScalarType.Float32);                                               // [A]
        var e = config.NumExperts;
        var routed = torch.zeros(e, device: kept.device).index_add(0, assignments.Expert, torch.ones_like(kept), Scalars.One); // [E]
        var processed = torch.zeros(e, device: kept.device).index_add(0, assignments.Expert, kept, Scalars.One);  // [E]
        var perToken = torch.zeros(assignments.Tokens, device: kept.device).index_add(0, assignments.Token, kept, Scalars.One); // [T]
        var droppedTokens = perToken.eq(0).sum().to(ScalarType.Float32);
        var droppedAssignments = (1 - kept).sum();
        return new RoutingReport(site.Tower, site.Layer, modality, config.Router, assignments.Tokens, e, config.TopK, capacity,
            aux, lb, z, importance, load, local, global, limoeGlobal, routed, processed, droppedAssignments, droppedTokens);
    }
}
