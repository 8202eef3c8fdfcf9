namespace ClipUp.Data;

/// <summary>
/// A second synthetic domain beside <see cref="SyntheticShapes"/>: whole-image textures ("orange checkerboard on a grey
/// background") whose caption words share nothing with the shapes' captions (tokens of two or more letters), so a
/// caption clustering into two experts can recover the domains exactly, and a tiny CLIP learns them on a CPU.
/// 4 colours × 4 patterns × 2 backgrounds = 32 distinct captions. Period, phase and dot size are jittered per sample.
/// </summary>
public static class SyntheticPatterns
{
    /// <summary>Foreground colour names and RGB values (none is a <see cref="SyntheticShapes.Colors"/> name).</summary>
    public static readonly IReadOnlyList<(string Name, byte R, byte G, byte B)> Colors =
    [
        ("purple", 130, 50, 160),
        ("orange", 240, 130, 20),
        ("black", 20, 20, 20),
        ("pink", 240, 110, 170),
    ];

    /// <summary>Background names and RGB values.</summary>
    public static readonly IReadOnlyList<(string Name, byte R, byte G, byte B)> Backgrounds =
    [
        ("white", 255, 255, 255),
        ("grey", 160, 160, 160),
    ];

    /// <summary>Pattern names, also the <c>pattern</c> attribute (zero-shot class names).</summary>
    public static readonly IReadOnlyList<string> Patterns = ["vertical stripes", "horizontal stripes", "checkerboard", "dots"];

    /// <summary>Draws samples 0 .. Count − 1 (<see cref="SyntheticShapesConfig.PairFraction"/> is not used).</summary>
    public static IReadOnlyList<SyntheticSample> Generate(SyntheticShapesConfig config)
    {
        config.Validate();
        return [.. Enumerable.Range(0, config.Count).Select(i => Sample(config, i))];
    }

    /// <summary>
    /// Sample <paramref name="index"/>, a function of (Seed, index) only. Attributes: pattern, color, background.
    /// Stripes are half-period bands; a checkerboard alternates half-period squares; dots are discs of radius
    /// 0.2–0.3 of the period on a square grid.
    /// </summary>
    public static SyntheticSample Sample(SyntheticShapesConfig config, int index)
    {
        // A stream of its own (index offset) so a shapes set and a patterns set of the same seed are unrelated.
        var rng = SeedMix.Rng(config.Seed, SeedStream.Synthetic, 1, index);
        int color = rng.Next(Colors.Count), pattern = rng.Next(Patterns.Count), background = rng.Next(Backgrounds.Count);
        var size = config.ImageSize;
        double period = size * (0.2 + 0.1 * rng.NextDouble());                 // 6.4–9.6 px at 32 px: 3–5 periods
        double phaseX = period * rng.NextDouble(), phaseY = period * rng.NextDouble();
        double radius = period * (0.2 + 0.1 * rng.NextDouble());
        var pixels = new byte[size * size * 3];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                double u = (x + 0.5 + phaseX) / period, v = (y + 0.5 + phaseY) / period;
                var inFront = Patterns[pattern] switch
                {
                    "vertical stripes" => Frac(u) < 0.5,
                    "horizontal stripes" => Frac(v) < 0.5,
                    "checkerboard" => (Frac(u) < 0.5) ^ (Frac(v) < 0.5),
                    _ => Math.Pow(Frac(u) - 0.5, 2) + Math.Pow(Frac(v) - 0.5, 2) < Math.Pow(radius / period, 2),
                };
                var (_, r, g, b) = inFront ? Colors[color] : Backgrounds[background];
                var o = 3 * (y * size + x);
                (pixels[o], pixels[o + 1], pixels[o + 2]) = (r, g, b);
            }
        var caption = $"{Colors[color].Name} {Patterns[pattern]} on a {Backgrounds[background].Name} background";
        var attributes = new Dictionary<string, string>
        {
            ["pattern"] = Patterns[pattern], ["color"] = Colors[color].Name, ["background"] = Backgrounds[background].Name,
        };
        return new SyntheticSample(new RgbImage(size, size, pixels), caption, attributes.AsReadOnly());
    }

    private static double Frac(double t) => t - Math.Floor(t);
}
