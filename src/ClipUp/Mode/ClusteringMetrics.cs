namespace ClipUp.Mode;

/// <summary>Agreement between two labelings of the same items.</summary>
public static class ClusteringMetrics
{
    /// <summary>
    /// Adjusted Rand index (Hubert &amp; Arabie 1985): 1 for identical partitions (up to renaming), about 0 for random ones.
    /// ARI = (Σ_ij C(n_ij, 2) − E) / (½(Σ_i C(a_i, 2) + Σ_j C(b_j, 2)) − E), E = Σ_i C(a_i, 2)·Σ_j C(b_j, 2) / C(n, 2),
    /// with n_ij the contingency table and a_i, b_j its row and column sums.
    /// </summary>
    public static double AdjustedRandIndex(IReadOnlyList<int> labelsA, IReadOnlyList<int> labelsB)
    {
        if (labelsA.Count != labelsB.Count)
            throw new ArgumentException($"labelings differ in length: {labelsA.Count} vs {labelsB.Count}");
        var n = labelsA.Count;
        var joint = new Dictionary<(int, int), long>();
        var rows = new Dictionary<int, long>();
        var cols = new Dictionary<int, long>();
        for (var i = 0; i < n; i++)
        {
            var key = (labelsA[i], labelsB[i]);
            joint[key] = joint.GetValueOrDefault(key) + 1;
            rows[labelsA[i]] = rows.GetValueOrDefault(labelsA[i]) + 1;
            cols[labelsB[i]] = cols.GetValueOrDefault(labelsB[i]) + 1;
        }
        static double Pairs(long m) => m * (m - 1) / 2.0;
        var index = joint.Values.Sum(Pairs);
        var sumA = rows.Values.Sum(Pairs);
        var sumB = cols.Values.Sum(Pairs);
        var expected = n < 2 ? 0 : sumA * sumB / Pairs(n);
        var max = (sumA + sumB) / 2;
        // Both labelings put everything in one cluster (or every item alone): identical partitions.
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }
}
