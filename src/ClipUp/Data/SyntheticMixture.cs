namespace ClipUp.Data;

/// <summary>Sizes of a <see cref="SyntheticMixture"/>: rows per domain in each split.</summary>
public sealed record SyntheticMixtureConfig(int TrainPerDomain = 1000, int ValPerDomain = 200)
{
    /// <summary>Image side in pixels (both domains).</summary>
    public int ImageSize { get; init; } = 32;

    public SyntheticMixtureConfig Validate()
    {
        if (TrainPerDomain < 1 || ValPerDomain < 1)
            throw new ArgumentOutOfRangeException(nameof(TrainPerDomain), $"train {TrainPerDomain} and val {ValPerDomain} rows per domain must both be >= 1");
        new SyntheticShapesConfig(0) { ImageSize = ImageSize }.Validate();
        return this;
    }
}

/// <summary>
/// A learnable two-domain mixture for MoDE on a CPU: <c>shapes/</c> (<see cref="SyntheticShapes"/>: "a red circle left of
/// a blue square") and <c>patterns/</c> (<see cref="SyntheticPatterns"/>: "orange checkerboard on a grey background"),
/// each with <c>train.tsv</c>, <c>val.tsv</c> and <c>images/</c>. The domains' caption words are disjoint, so a
/// 2-expert caption clustering can find them; the attribute columns (shape, pattern, …) are zero-shot labels.
/// Deterministic: fixed seeds per domain and split (shapes train 1, val 2 — the CLIP-UP smoke's sets —, patterns 3, 4).
/// </summary>
public static class SyntheticMixture
{
    /// <summary>Domain folder names, in mixture order.</summary>
    public static readonly IReadOnlyList<string> Domains = ["shapes", "patterns"];

    /// <summary>
    /// Writes the mixture under <paramref name="dir"/> unless a complete one of the same sizes is there (the marker
    /// file <c>mixture.txt</c>, written last, records the sizes). Returns <paramref name="dir"/>.
    /// </summary>
    public static string Write(string dir, SyntheticMixtureConfig config)
    {
        config.Validate();
        var marker = Path.Combine(dir, "mixture.txt");
        var stamp = $"shapes+patterns train {config.TrainPerDomain} val {config.ValPerDomain} size {config.ImageSize}\n";
        if (File.Exists(marker) && File.ReadAllText(marker) == stamp) return dir;
        foreach (var domain in Domains)
        {
            var folder = Path.Combine(dir, domain);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        SyntheticShapesConfig Set(int count, int seed) => new(count) { Seed = seed, ImageSize = config.ImageSize };
        var shapes = Path.Combine(dir, "shapes");
        SyntheticShapes.WriteFolder(SyntheticShapes.Generate(Set(config.TrainPerDomain, 1)), shapes, "train.tsv");
        SyntheticShapes.WriteFolder(SyntheticShapes.Generate(Set(config.ValPerDomain, 2)), shapes, "val.tsv", firstIndex: 100_000);
        var patterns = Path.Combine(dir, "patterns");
        SyntheticShapes.WriteFolder(SyntheticPatterns.Generate(Set(config.TrainPerDomain, 3)), patterns, "train.tsv");
        SyntheticShapes.WriteFolder(SyntheticPatterns.Generate(Set(config.ValPerDomain, 4)), patterns, "val.tsv", firstIndex: 100_000);
        File.WriteAllText(marker, stamp);
        return dir;
    }

    /// <summary>The table of one domain and split, e.g. <c>Table(dir, "patterns", "val")</c>.</summary>
    public static string Table(string dir, string domain, string split) => Path.Combine(dir, domain, split + ".tsv");
}
