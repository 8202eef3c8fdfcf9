using TorchSharp;
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
    /// <param name="path">Which implementation (<see cref="DispatchPath.Auto"/> picks by the device of <paramref name="x"/>).</param>
    /// <param name="x">Tokens [T, D].</param>
    /// <param name="assignments">Pairs in priority order.</param>
    /// <param name="experts">The experts: stacked for the padded paths, one at a time for the grouped one.</param>
    /// <param name="capacity">C.</param>
    public static DispatchResult Apply(DispatchPath path, Tensor x, Assignments assignments, Experts experts, int capacity) =>
        Resolve(path, x) == DispatchPath.Grouped
            ? GroupedDispatch.Apply(x, assignments, experts.Count, capacity, experts.ForwardGrouped)
            : Apply(path, x, assignments, experts.Count, capacity, experts.call);

    /// <summary>
    /// The same with a function in place of the experts: [E, C, D] → [E, C, D] for the padded paths; the grouped path
    /// applies it to all kept rows at once, which is right only for functions that treat every expert alike (tests).
    /// </summary>
    public static DispatchResult Apply(DispatchPath path, Tensor x, Assignments assignments, int experts, int capacity, Func<Tensor, Tensor> expertFn) =>
        Resolve(path, x) switch
        {
            DispatchPath.Sorted => SortedDispatch.Apply(x, assignments, experts, capacity, expertFn),
            DispatchPath.OneHot => OneHotDispatch.Apply(x, assignments, experts, capacity, expertFn),
            DispatchPath.Grouped => GroupedDispatch.Apply(x, assignments, experts, capacity, (rows, _) => expertFn(rows)),
            _ => throw new ArgumentOutOfRangeException(nameof(path), path, "unknown dispatch path"),
        };

    /// <summary>
    /// Auto → Grouped on a CPU at widths of at least <see cref="GroupedMinWidth"/>, else Sorted; other paths as given.
    /// </summary>
    public static DispatchPath Resolve(DispatchPath path, Tensor x) =>
        path != DispatchPath.Auto ? path
        : x.device_type == DeviceType.CPU && x.shape[^1] >= GroupedMinWidth ? DispatchPath.Grouped : DispatchPath.Sorted;

    /// <summary>
    /// Below this width the grouped path's per-expert calls cost more than the padding they save. Measured on 2 CPU
    /// cores (bench/results, trainstep): width 64 (tiny) MoE step / dense step 1.42 sorted vs 1.54 grouped; width 384
    /// (S16-96) 1.31 sorted vs 1.17 grouped.
    /// </summary>
    public const int GroupedMinWidth = 256;
}
