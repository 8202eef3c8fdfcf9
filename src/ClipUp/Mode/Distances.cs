using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>Nearest centre of each row and its squared distance.</summary>
/// <param name="Index">int64 [N]: the nearest centre (lowest index on ties).</param>
/// <param name="SquaredDistance">float32 [N]: ‖x − c‖² to that centre.</param>
public sealed record NearestCentres(Tensor Index, Tensor SquaredDistance);

/// <summary>
/// Euclidean distances between rows and centres, computed with the matmul identity on the points' device.
/// Axes: N points, K centres, D features. MoDE clusters with squared Euclidean distance on L2-normalised caption
/// embeddings (mode.md §1, <c>--cd euclidean</c>); the reference library computes (a − b)² explicitly, which costs N·K·D
/// memory, so we use ‖x‖² − 2x·c + ‖c‖² instead (rounding ~1e-6 for unit vectors, clamped at 0).
/// </summary>
public static class Distances
{
    /// <summary>Squared Euclidean distances [N, K] between points [N, D] and centres [K, D].</summary>
    public static Tensor SquaredEuclidean(Tensor points, Tensor centres)
    {
        RequireMatrices(points, centres);
        using var scope = NewDisposeScope();
        var pointNorms = points.square().sum(1, keepdim: true);          // [N, 1]
        var centreNorms = centres.square().sum(1).unsqueeze(0);           // [1, K]
        var d2 = (pointNorms + centreNorms).sub_(points.matmul(centres.t()).mul_(2.0)).clamp_min_(0.0); // [N, K]
        return d2.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Nearest centre for every point, <paramref name="chunkRows"/> rows at a time so that only a [chunk, K] distance
    /// block is alive (the reference's <c>torch.cdist</c> + argmin of <c>prep_inference.py</c>, streamed).
    /// </summary>
    public static NearestCentres Nearest(Tensor points, Tensor centres, long chunkRows = 65536)
    {
        RequireMatrices(points, centres);
        if (chunkRows <= 0) throw new ArgumentOutOfRangeException(nameof(chunkRows), $"chunkRows {chunkRows} must be positive");
        var n = points.shape[0];
        var index = empty(n, ScalarType.Int64, device: points.device);
        var distance = empty(n, centres.dtype, device: points.device);
        for (long start = 0; start < n; start += chunkRows)
        {
            using var scope = NewDisposeScope();
            var len = Math.Min(chunkRows, n - start);
            var (min, arg) = SquaredEuclidean(points.narrow(0, start, len), centres).min(1);
            index.narrow(0, start, len).copy_(arg);
            distance.narrow(0, start, len).copy_(min);
        }
        return new NearestCentres(index, distance);
    }

    private static void RequireMatrices(Tensor points, Tensor centres)
    {
        if (points.dim() != 2 || centres.dim() != 2 || points.shape[1] != centres.shape[1])
            throw new ArgumentException(
                $"expected points [N, D] and centres [K, D] with the same D, got [{string.Join(", ", points.shape)}] and [{string.Join(", ", centres.shape)}]");
    }
}
