using ClipUp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// Dispatch without capacity padding (megablocks' "dropless" grouping, with the same capacity decisions as
/// <see cref="SortedDispatch"/>): kept assignments are sorted by expert and each expert runs on exactly its own rows.
/// The padded [E, C, D] buffer computes E·C rows, which at top-2 and capacity factor 2 is twice the 2·T rows the
/// experts actually need; grouping computes only those, at the price of one host read of the per-expert counts. On a
/// CPU that read is free and the saved matmul rows are most of an MoE step's extra cost, so it is the CPU default at
/// widths where the matmuls dominate (<see cref="DispatchPath.Auto"/>); on a GPU the read would stall the stream, so the padded batched matmul stays.
/// Axes: T tokens, D width, E experts, A assignments, N kept assignments.
/// </summary>
public static class GroupedDispatch
{
    /// <param name="groupedFn">Rows sorted by expert [N, D] and the row count of each expert [E] → outputs [N, D].</param>
    public static DispatchResult Apply(Tensor x, Assignments a, int experts, int capacity, Func<Tensor, long[], Tensor> groupedFn)
    {
        long t = x.shape[0], d = x.shape[1];
        var kept = SortedDispatch.Positions(a, experts) < capacity;                                 // [A]
        // Dropped assignments get key E, so a stable sort puts the kept ones first, grouped by expert, in assignment order.
        var key = torch.where(kept, a.Expert, torch.full_like(a.Expert, experts));                 // [A]
        var (_, order) = torch.sort(key, dim: 0, stable: true);                                     // [A]
        var counts = torch.zeros(experts + 1, dtype: ScalarType.Int64, device: key.device)
            .index_add(0, key, torch.ones_like(key), Scalars.One).data<long>().ToArray();           // [E + 1], host
        long n = counts.Take(experts).Sum();
        var rows = order.narrow(0, 0, n);                                                           // [N]
        var token = a.Token.index_select(0, rows);                                                  // [N]
        var expertOut = groupedFn(x.index_select(0, token), counts[..experts]);                    // [N, D]
        var contribution = expertOut * a.Weight.index_select(0, rows).to(x.dtype).unsqueeze(1);     // [N, D]
        var y = x.new_zeros(t, d).index_add(0, token, contribution, Scalars.One);                   // [T, D]
        return new DispatchResult(y, kept);
    }
}
