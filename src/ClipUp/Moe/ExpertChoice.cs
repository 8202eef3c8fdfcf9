using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// Expert-choice routing (Zhou et al. 2022; vmoe <c>NoisyTopItemsPerExpertRouter</c>, used by sparse upcycling for
/// vision): each expert takes the C tokens with the highest routing probability for it. Loads are balanced by
/// construction; a token may be processed by 0..E experts, and its combine weights are its raw probabilities.
/// Axes: T tokens, E experts, C capacity.
/// </summary>
public static class ExpertChoice
{
    /// <param name="probs">Routing probabilities [T, E] (softmax over experts).</param>
    /// <param name="capacity">C ≤ T tokens per expert (<see cref="Capacity.Compute"/> with K = 1).</param>
    public static Assignments Select(Tensor probs, int capacity)
    {
        int t = (int)probs.shape[0];
        if (capacity < 1 || capacity > t)
            throw new ArgumentException($"expert choice capacity {capacity} must be in 1..{t} (the number of tokens)");
        var (gates, tokenIndex) = torch.topk(probs.t(), capacity, dim: 1);                          // [E, C], [E, C]
        return Assignments.FromExpertChoice(tokenIndex, gates, t);
    }
}
