namespace ClipUp.Stats;

/// <summary>
/// One seed's paired comparison: for each set of evaluation items (text→image queries, image→text queries, zero-shot
/// images…), each item's score under the variant minus its score under the baseline. Both arms are the same seed and
/// the same items, so the pairing removes what the items and the seed have in common.
/// </summary>
/// <param name="Sets">One array per item set; a metric weighs the sets equally (mean recall: the two directions).</param>
public sealed record SeedDifferences(IReadOnlyList<double[]> Sets)
{
    /// <summary>The metric's difference on this seed: the mean over sets of each set's mean item difference.</summary>
    public double Mean => Sets.Average(s => s.Average());
}

/// <summary>A difference variant − baseline with its two-sided confidence interval.</summary>
/// <param name="Mean">Mean over seeds of the seed's difference (the point estimate).</param>
/// <param name="SeedMeans">Each seed's difference, in seed order (what a reader checks the interval against).</param>
public sealed record Interval(double Mean, double Lower, double Upper, double Level, int Seeds, int Replicates, IReadOnlyList<double> SeedMeans);

/// <summary>
/// Two-level percentile bootstrap of a paired difference: each replicate draws the seeds with replacement and, within
/// each drawn seed, every item set's items with replacement (the same draw for both arms: the differences are already
/// paired), then averages. The spread so covers both sources of noise the small-scale design names: which seed trained
/// the models, and which items the evaluation happened to hold. With 3 seeds the seed level can only show the seeds it
/// has, so the interval is no wider than their range plus item noise; that is why claims need ≥ 3 seeds.
/// </summary>
public static class PairedBootstrap
{
    public static Interval Compute(IReadOnlyList<SeedDifferences> seeds, int replicates = 2000, double level = 0.95, int rngSeed = 12345)
    {
        if (seeds.Count == 0) throw new ArgumentException("a paired interval needs at least one seed with both arms evaluated");
        if (replicates < 100) throw new ArgumentException($"replicates {replicates} is too few for a percentile interval: use >= 100");
        if (level is <= 0 or >= 1) throw new ArgumentException($"level {level} must be in (0, 1), e.g. 0.95");
        foreach (var s in seeds)
            if (s.Sets.Count == 0 || s.Sets.Any(x => x.Length == 0))
                throw new ArgumentException("every seed needs at least one non-empty item set");
        var rng = new Random(rngSeed);
        var stats = new double[replicates];
        for (int b = 0; b < replicates; b++)
        {
            double sum = 0;
            for (int j = 0; j < seeds.Count; j++)
            {
                var seed = seeds[rng.Next(seeds.Count)];
                double setSum = 0;
                foreach (var items in seed.Sets)
                {
                    double s = 0;
                    for (int i = 0; i < items.Length; i++) s += items[rng.Next(items.Length)];
                    setSum += s / items.Length;
                }
                sum += setSum / seed.Sets.Count;
            }
            stats[b] = sum / seeds.Count;
        }
        Array.Sort(stats);
        double alpha = (1 - level) / 2;
        var seedMeans = seeds.Select(s => s.Mean).ToList();
        return new Interval(seedMeans.Average(), Percentile(stats, alpha), Percentile(stats, 1 - alpha), level, seeds.Count, replicates, seedMeans);
    }

    /// <summary>The q-quantile of sorted values, linear between neighbours (numpy's default).</summary>
    public static double Percentile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
