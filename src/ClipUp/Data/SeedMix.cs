namespace ClipUp.Data;

/// <summary>Independent random streams that a loader derives from one seed.</summary>
public enum SeedStream
{
    /// <summary>The shuffled sample order of an epoch.</summary>
    Order = 1,

    /// <summary>Which caption an image gets in an epoch (<see cref="LoaderConfig.OneCaptionPerImage"/>).</summary>
    Caption = 2,

    /// <summary>The augmentation (random crop) of one sample in one epoch.</summary>
    Augment = 3,

    /// <summary>Synthetic data generation.</summary>
    Synthetic = 4,

    /// <summary>The shard order of an epoch when streaming WebDataset shards (<see cref="WebDatasetReader"/>).</summary>
    Shards = 5,

    /// <summary>The picks of a streaming shuffle buffer (<see cref="WebDatasetReader"/>).</summary>
    ShuffleBuffer = 6,
}

/// <summary>
/// Derives generator seeds from (seed, stream, epoch, index) with SplitMix64 (Steele et al. 2014) so every sample
/// gets its own <see cref="Random"/>: results then depend on which sample it is, never on which thread or in which
/// order a worker handled it.
/// </summary>
public static class SeedMix
{
    /// <summary>A non-negative 31-bit seed for <c>new Random(seed)</c>.</summary>
    public static int Derive(int seed, SeedStream stream, long epoch, long index)
    {
        ulong h = Mix((ulong)(uint)seed);
        h = Mix(h ^ (ulong)stream);
        h = Mix(h ^ (ulong)epoch);
        h = Mix(h ^ (ulong)index);
        return (int)(h & 0x7FFF_FFFF);
    }

    /// <summary>A fresh generator for (seed, stream, epoch, index). <c>new Random(int)</c> uses .NET's seeded
    /// legacy algorithm, whose sequence is stable across .NET versions.</summary>
    public static Random Rng(int seed, SeedStream stream, long epoch, long index)
        => new(Derive(seed, stream, epoch, index));

    static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
