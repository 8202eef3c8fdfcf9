namespace ClipUp.Mode;

/// <summary>
/// The rows expert i trains on in one epoch: all rows of its cluster plus a fresh random ⌊|out|·ratio⌋ of the
/// out-of-cluster rows of each shard — the reference's hidden <c>ooc_ratio = 0.02</c> ("slightly better than 0.0"),
/// re-drawn every time a shard is read (<c>mode_wds.py::dataset_filter</c>: <c>np.random.permutation</c>, first
/// ⌊n·ratio⌋). Deterministic in (seed, epoch, expert, shard). The trainer integration comes later; this returns indices.
/// </summary>
public static class ExpertDataSampler
{
    /// <summary>MoDE's out-of-cluster ratio.</summary>
    public const double ReferenceOutOfClusterRatio = 0.02;

    /// <summary>
    /// Sorted row indices for <paramref name="expert"/> in <paramref name="epoch"/>.
    /// </summary>
    /// <param name="expertOfRow">Expert of every row (<see cref="ShardAssignment.Expert"/>).</param>
    /// <param name="outOfClusterRatio">Fraction of out-of-cluster rows mixed in, in [0, 1].</param>
    /// <param name="shardRows">Rows per shard: the ⌊·⌋ applies per shard as in the reference's tar shards; null = one shard.</param>
    public static int[] Indices(IReadOnlyList<int> expertOfRow, int expert, double outOfClusterRatio, int seed, int epoch, int? shardRows = null)
    {
        if (!(outOfClusterRatio >= 0 && outOfClusterRatio <= 1))
            throw new ArgumentOutOfRangeException(nameof(outOfClusterRatio), $"out-of-cluster ratio {outOfClusterRatio} must be in [0, 1]");
        if (shardRows is <= 0) throw new ArgumentOutOfRangeException(nameof(shardRows), $"shardRows {shardRows} must be positive");
        var size = shardRows ?? Math.Max(1, expertOfRow.Count);
        var result = new List<int>();
        for (int start = 0, shard = 0; start < expertOfRow.Count; start += size, shard++)
        {
            var end = Math.Min(expertOfRow.Count, start + size);
            var outside = new List<int>();
            for (var i = start; i < end; i++)
                if (expertOfRow[i] == expert) result.Add(i); else outside.Add(i);
            var take = (int)(outside.Count * outOfClusterRatio);
            if (take == 0) continue;
            // Partial Fisher–Yates: the first `take` of a seeded permutation, without replacement.
            var rng = new Random(DerivedSeed(seed, epoch, expert, shard));
            for (var j = 0; j < take; j++)
            {
                var k = rng.Next(j, outside.Count);
                (outside[j], outside[k]) = (outside[k], outside[j]);
                result.Add(outside[j]);
            }
        }
        result.Sort();
        return result.ToArray();
    }

    /// <summary>SplitMix64 over the four ids, so nearby (seed, epoch, expert, shard) give unrelated streams.</summary>
    private static int DerivedSeed(int seed, int epoch, int expert, int shard)
    {
        var x = 0x9E3779B97F4A7C15UL;
        foreach (var v in new[] { seed, epoch, expert, shard })
        {
            x += (ulong)(uint)v + 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            x ^= x >> 31;
        }
        return (int)(x & 0x7FFF_FFFF);
    }
}
