using ClipUp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// The fast dispatch (megablocks' capacity path without its custom kernels): a stable sort of the assignments by expert
/// gives each one its position in the expert's buffer; tokens are gathered into a capacity-padded buffer [E, C, D], the
/// experts run as one batched matmul on stacked weights, and outputs are scaled by their weights and summed back per
/// token with index_add. Memory is O(E·C·D + A·D). No host synchronisation: dropped assignments are routed to a spare
/// "trash" row instead of being filtered out. Axes: T tokens, D width, E experts, C capacity, A assignments.
/// </summary>
public static class SortedDispatch
{
    /// <summary>Each assignment's position in its expert's buffer [A], computed by a stable sort (the reference uses a cumsum).</summary>
    public static Tensor Positions(Assignments a, int experts)
    {
        var (sortedExpert, perm) = torch.sort(a.Expert, dim: 0, stable: true);                     // [A], [A]
        var counts = torch.zeros(experts, dtype: ScalarType.Int64, device: a.Expert.device)
            .index_add(0, a.Expert, torch.ones_like(a.Expert), Scalars.One);                                     // [E]
        var starts = counts.cumsum(0) - counts;                                                     // [E] first sorted index of each expert
        var rank = torch.arange(a.Expert.shape[0], dtype: ScalarType.Int64, device: a.Expert.device)
                   - starts.index_select(0, sortedExpert);                                          // [A] in sorted order
        return torch.zeros_like(rank).scatter(0, perm, rank);                                       // [A] in assignment order
    }

    /// <inheritdoc cref="Dispatch.Apply"/>
    public static DispatchResult Apply(Tensor x, Assignments a, int experts, int capacity, Func<Tensor, Tensor> expertFn)
    {
        long t = x.shape[0], d = x.shape[1], slots = (long)experts * capacity;
        var position = Positions(a, experts);                                                       // [A]
        var kept = position < capacity;                                                             // [A]
        var slot = torch.where(kept, a.Expert * capacity + position, slots);                        // [A] row of [E·C + 1]; E·C = trash
        // Which token fills each buffer row; empty rows read the zero pad row T. Several dropped assignments write the
        // trash entry E·C concurrently, which is fine because it is cut off.
        var source = torch.full(slots + 1, t, dtype: ScalarType.Int64, device: x.device)
            .scatter(0, slot, a.Token)[..(int)slots];                                               // [E·C]
        var padded = torch.cat([x, x.new_zeros(1, d)], 0);                                          // [T + 1, D]
        var expertIn = padded.index_select(0, source).view(experts, capacity, d);                   // [E, C, D]
        var expertOut = expertFn(expertIn).reshape(slots, d);                                       // [E·C, D]
        var outPadded = torch.cat([expertOut, expertOut.new_zeros(1, d)], 0);                       // [E·C + 1, D]
        var contribution = outPadded.index_select(0, slot) * a.Weight.to(x.dtype).unsqueeze(1);     // [A, D]
        var y = x.new_zeros(t, d).index_add(0, a.Token, contribution, Scalars.One);                              // [T, D]
        return new DispatchResult(y, kept);
    }
}
