using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

/// <summary>Synthetic, seeded data for the MoDE tests.</summary>
internal static class ModeTestData
{
    /// <summary>
    /// Planted clusters: <paramref name="sizes"/>.Length random unit directions in D dimensions, each point = its
    /// direction + N(0, noise²) per coordinate, L2-normalised (like normalised caption embeddings). Rows are shuffled.
    /// </summary>
    public static (Tensor Points, int[] Labels) Planted(int[] sizes, int dim, double noise, long seed)
    {
        var g = new Generator((ulong)seed);
        var directions = nn.functional.normalize(randn(sizes.Length, dim, generator: g), dim: 1);
        var labels = sizes.SelectMany((s, c) => Enumerable.Repeat(c, s)).ToArray();
        var perm = randperm(labels.Length, generator: g).data<long>().ToArray();
        var shuffled = perm.Select(p => labels[p]).ToArray();
        var centre = directions.index_select(0, tensor(shuffled.Select(l => (long)l).ToArray()));
        var points = nn.functional.normalize(centre + noise * randn(shuffled.Length, dim, generator: g), dim: 1);
        return (points, shuffled);
    }

    public static int[] ToInts(Tensor labels) => labels.to(ScalarType.Int64).cpu().data<long>().Select(v => (int)v).ToArray();
}
