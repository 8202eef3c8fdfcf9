using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// The combined MoE output [T, D] and, per assignment [A] (bool), whether it got a slot. A token with no slot at all
/// gets a zero output row, so the block's residual connection passes it through unchanged.
/// </summary>
public sealed record DispatchResult(Tensor Output, Tensor Kept);

/// <summary>
/// Dispatch → experts → combine, by either implementation. Slots are assigned in <see cref="Assignments"/> order: an
/// assignment gets position p in its expert's buffer when p earlier assignments chose that expert, and is dropped when
/// p ≥ C (GShard, vmoe). Axes: T tokens, D width, E experts, C capacity, A assignments.
/// </summary>
public static class Dispatch
{
    /// <param name="path">Which implementation.</param>
    /// <param name="x">Tokens [T, D].</param>
    /// <param name="assignments">Pairs in priority order.</param>
    /// <param name="experts">E.</param>
    /// <param name="capacity">C.</param>
    /// <param name="expertFn">The stacked experts, [E, C, D] → [E, C, D] (see <see cref="Experts"/>).</param>
    public static DispatchResult Apply(DispatchPath path, Tensor x, Assignments assignments, int experts, int capacity, Func<Tensor, Tensor> expertFn) =>
        path switch
        {
            DispatchPath.Sorted => SortedDispatch.Apply(x, assignments, experts, capacity, expertFn),
            DispatchPath.OneHot => OneHotDispatch.Apply(x, assignments, experts, capacity, expertFn),
            _ => throw new ArgumentOutOfRangeException(nameof(path), path, "unknown dispatch path"),
        };
}
