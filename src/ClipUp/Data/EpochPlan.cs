namespace ClipUp.Data;

/// <summary>
/// Which source rows an epoch visits, in which order: a pure function of (source rows, seed, epoch).
/// A unit is one row, or with <see cref="LoaderConfig.OneCaptionPerImage"/> one image with all its rows
/// (first-appearance order), from which each epoch picks one row.
/// </summary>
public sealed class EpochPlan
{
    readonly int[][] _units;
    readonly int _seed;
    readonly bool _shuffle;

    /// <summary>Groups <paramref name="source"/>'s rows into units.</summary>
    public EpochPlan(ImageTextSource source, int seed, bool shuffle, bool oneCaptionPerImage)
    {
        _seed = seed;
        _shuffle = shuffle;
        if (!oneCaptionPerImage)
        {
            _units = new int[source.Count][];
            for (int i = 0; i < source.Count; i++)
                _units[i] = [i];
            return;
        }
        _units = [.. source.RowsByImage()];
    }

    /// <summary>Number of units (samples per epoch before batching).</summary>
    public int Count => _units.Length;

    /// <summary>The unit order of <paramref name="epoch"/>: identity, or a Fisher-Yates shuffle seeded by (seed, epoch).</summary>
    public int[] Order(int epoch)
    {
        var order = new int[_units.Length];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        if (_shuffle)
        {
            var rng = SeedMix.Rng(_seed, SeedStream.Order, epoch, 0);
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return order;
    }

    /// <summary>The source row that unit <paramref name="unit"/> contributes in <paramref name="epoch"/>.</summary>
    public int RowFor(int unit, int epoch)
    {
        var rows = _units[unit];
        return rows.Length == 1 ? rows[0] : rows[SeedMix.Rng(_seed, SeedStream.Caption, epoch, unit).Next(rows.Length)];
    }
}
