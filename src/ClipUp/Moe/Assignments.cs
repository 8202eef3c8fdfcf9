using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// The (token, expert, weight) pairs a router wants processed, in priority order: when an expert's buffer is full the
/// later pairs are dropped. A is the number of pairs (T·K for token choice, E·C for expert choice).
/// <see cref="Token"/> [A] and <see cref="Expert"/> [A] are int64, <see cref="Weight"/> [A] fp32 combine weights;
/// <see cref="Tokens"/> is T.
/// </summary>
public sealed record Assignments(Tensor Token, Tensor Expert, Tensor Weight, int Tokens)
{
    /// <summary>
    /// Token choice (GShard Algorithm 1, vmoe): flattened k-major, so every token's first choice comes before any token's
    /// second choice, and within one k tokens follow <paramref name="order"/> (position order, or Batch Priority order).
    /// </summary>
    /// <param name="expertIndex">[T, K] int64.</param>
    /// <param name="gates">[T, K].</param>
    /// <param name="order">[T] a permutation of the tokens; null keeps position order.</param>
    public static Assignments FromTokenChoice(Tensor expertIndex, Tensor gates, Tensor? order = null)
    {
        int t = (int)expertIndex.shape[0], k = (int)expertIndex.shape[1];
        order ??= torch.arange(t, dtype: ScalarType.Int64, device: expertIndex.device);               // [T]
        var token = order.repeat(k);                                                                  // [K·T]
        var expert = expertIndex.index_select(0, order).t().reshape(-1);                              // [K·T]
        var weight = gates.index_select(0, order).t().reshape(-1);                                    // [K·T]
        return new Assignments(token, expert, weight, t);
    }

    /// <summary>Expert choice: expert-major, each expert's tokens in the order it ranked them.</summary>
    /// <param name="tokenIndex">[E, C] int64 tokens each expert picked.</param>
    /// <param name="gates">[E, C] their routing probabilities.</param>
    /// <param name="tokens">T.</param>
    public static Assignments FromExpertChoice(Tensor tokenIndex, Tensor gates, int tokens)
    {
        long e = tokenIndex.shape[0], c = tokenIndex.shape[1];
        var expert = torch.arange(e, dtype: ScalarType.Int64, device: tokenIndex.device).repeat_interleave(c); // [E·C]
        return new Assignments(tokenIndex.reshape(-1), expert, gates.reshape(-1), tokens);
    }
}
