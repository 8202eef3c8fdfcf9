using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// The reference dispatch, written as in GShard (Lepikhin et al. 2020, Algorithm 1) and vmoe's EinsumDispatcher:
/// a one-hot dispatch mask [T, E, C] and combine weights [T, E, C], then two einsums around the experts. Memory is
/// O(T·E·C), fine for tests and small models; <see cref="SortedDispatch"/> is the fast path and must agree with this one.
/// Axes: T tokens, D width, E experts, C capacity, A assignments.
/// </summary>
public static class OneHotDispatch
{
    /// <summary>
    /// Dispatch mask and combine weights: <c>dispatch[t, e, c] = 1</c> when token t sits in slot c of expert e, and
    /// <c>combine[t, e, c]</c> is then its weight. Also returns which assignments kept a slot [A].
    /// </summary>
    public static (Tensor Dispatch, Tensor Combine, Tensor Kept) Masks(Assignments a, int experts, int capacity, ScalarType dtype)
    {
        var expertMask = nn.functional.one_hot(a.Expert, experts);                                  // [A, E] int64
        // Position in the expert's buffer = how many earlier assignments chose the same expert (cumsum − 1).
        var position = (expertMask.cumsum(0) * expertMask).sum(1) - 1;                              // [A]
        var kept = position < capacity;                                                             // [A]
        // one_hot of position C is the "dropped" column, cut off so a dropped assignment has an all-zero row.
        var slot = nn.functional.one_hot(position.clamp_max(capacity), capacity + 1)[.., ..capacity]; // [A, C]
        var pair = (expertMask.unsqueeze(2) * slot.unsqueeze(1)).to(dtype);                        // [A, E, C]
        var tokenOf = nn.functional.one_hot(a.Token, a.Tokens).to(dtype);                          // [A, T]
        var dispatch = torch.einsum("at,aec->tec", tokenOf, pair);                                  // [T, E, C]
        var combine = torch.einsum("at,aec->tec", tokenOf, pair * a.Weight.to(dtype).view(-1, 1, 1)); // [T, E, C]
        return (dispatch, combine, kept);
    }

    /// <inheritdoc cref="Dispatch.Apply(DispatchPath, Tensor, Assignments, int, int, Func{Tensor, Tensor})"/>
    public static DispatchResult Apply(Tensor x, Assignments a, int experts, int capacity, Func<Tensor, Tensor> expertFn)
    {
        var (dispatch, combine, kept) = Masks(a, experts, capacity, x.dtype);                      // [T, E, C] ×2, [A]
        var expertIn = torch.einsum("tec,td->ecd", dispatch, x);                                   // [E, C, D]
        var expertOut = expertFn(expertIn);                                                         // [E, C, D]
        var y = torch.einsum("tec,ecd->td", combine, expertOut);                                    // [T, D]
        return new DispatchResult(y, kept);
    }
}
