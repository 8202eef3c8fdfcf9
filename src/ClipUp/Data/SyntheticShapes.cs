using SkiaSharp;

namespace ClipUp.Data;

/// <summary>Size and seed of a <see cref="SyntheticShapes"/> set.</summary>
/// <param name="Count">Number of image-caption pairs.</param>
public sealed record SyntheticShapesConfig(int Count)
{
    /// <summary>Image side in pixels (32 by default; shapes are drawn in proportion).</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>Seed; sample i depends only on (Seed, i), so a longer set extends a shorter one.</summary>
    public int Seed { get; init; }

    /// <summary>Fraction of images with two shapes and a spatial relation (the rest have one shape).</summary>
    public double PairFraction { get; init; } = 0.5;

    /// <summary>Throws with the offending value when the set cannot be drawn.</summary>
    public SyntheticShapesConfig Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Count);
        if (ImageSize < 16)
            throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize, "ImageSize must be at least 16 pixels for the shapes to be recognisable");
        if (!(PairFraction >= 0 && PairFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(PairFraction), PairFraction, "PairFraction must be in [0, 1]");
        return this;
    }
}

/// <summary>One synthetic pair. Attributes: color, shape (the first object), relation, color2, shape2 (empty for
/// one-shape images), usable as zero-shot labels.</summary>
public sealed record SyntheticSample(RgbImage Image, string Caption, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// A compositional image-caption set a tiny CLIP can learn in minutes on a CPU: white images with one coloured shape
/// ("a red circle") or two shapes in a spatial relation ("a red circle left of a blue square").
/// 4 colours x 3 shapes = 12 objects; pairs use two different objects and one of 4 relations, so there are
/// 12 + 12 * 11 * 4 = 540 distinct captions. Rendering is anti-aliased SkiaSharp with small seeded jitter of
/// position and size, so no two images are pixel-identical but every caption stays true.
/// </summary>
public static class SyntheticShapes
{
    /// <summary>Colour names and their RGB values.</summary>
    public static readonly IReadOnlyList<(string Name, SKColor Rgb)> Colors =
    [
        ("red", new SKColor(220, 40, 40)),
        ("green", new SKColor(40, 170, 60)),
        ("blue", new SKColor(40, 80, 220)),
        ("yellow", new SKColor(235, 200, 40)),
    ];

    /// <summary>Shape names.</summary>
    public static readonly IReadOnlyList<string> Shapes = ["circle", "square", "triangle"];

    /// <summary>Relations of the first object to the second.</summary>
    public static readonly IReadOnlyList<string> Relations = ["left of", "right of", "above", "below"];

    /// <summary>Draws samples 0 .. Count - 1.</summary>
    public static IReadOnlyList<SyntheticSample> Generate(SyntheticShapesConfig config)
    {
        config.Validate();
        return [.. Enumerable.Range(0, config.Count).Select(i => Sample(config, i))];
    }

    /// <summary>Draws sample <paramref name="index"/> alone (it depends only on the seed and the index).</summary>
    public static SyntheticSample Sample(SyntheticShapesConfig config, int index)
    {
        var rng = SeedMix.Rng(config.Seed, SeedStream.Synthetic, 0, index);
        float s = config.ImageSize;
        int color = rng.Next(Colors.Count), shape = rng.Next(Shapes.Count);
        var objects = new List<(int Color, int Shape, float X, float Y, float R)>();
        string caption, relation = "", color2 = "", shape2 = "";
        if (rng.NextDouble() >= config.PairFraction)
        {
            objects.Add((color, shape, s * Jitter(rng, 0.5, 0.12), s * Jitter(rng, 0.5, 0.12), s * Jitter(rng, 0.25, 0.05)));
            caption = $"a {Colors[color].Name} {Shapes[shape]}";
        }
        else
        {
            int other;
            do other = rng.Next(Colors.Count * Shapes.Count);
            while (other == color * Shapes.Count + shape);
            int c2 = other / Shapes.Count, sh2 = other % Shapes.Count, rel = rng.Next(Relations.Count);
            // First object on the named side: left of -> smaller x, above -> smaller y (image rows grow downwards).
            float near = s * Jitter(rng, 0.27, 0.04), far = s * Jitter(rng, 0.73, 0.04);
            float across1 = s * Jitter(rng, 0.5, 0.1), across2 = s * Jitter(rng, 0.5, 0.1);
            var (p1, p2) = rel switch
            {
                0 => ((near, across1), (far, across2)),
                1 => ((far, across1), (near, across2)),
                2 => ((across1, near), (across2, far)),
                _ => ((across1, far), (across2, near)),
            };
            objects.Add((color, shape, p1.Item1, p1.Item2, s * Jitter(rng, 0.16, 0.03)));
            objects.Add((c2, sh2, p2.Item1, p2.Item2, s * Jitter(rng, 0.16, 0.03)));
            relation = Relations[rel];
            color2 = Colors[c2].Name;
            shape2 = Shapes[sh2];
            caption = $"a {Colors[color].Name} {Shapes[shape]} {relation} a {color2} {shape2}";
        }
        var attributes = new Dictionary<string, string>
        {
            ["color"] = Colors[color].Name, ["shape"] = Shapes[shape], ["relation"] = relation,
            ["color2"] = color2, ["shape2"] = shape2,
        };
        return new SyntheticSample(Draw(config.ImageSize, objects), caption, attributes.AsReadOnly());
    }

    /// <summary>An in-memory source over <paramref name="samples"/>; row i's image key is <c>synthetic/i</c>.</summary>
    public static InMemoryImageTextSource ToSource(IReadOnlyList<SyntheticSample> samples)
        => new([.. samples.Select((s, i) => new ImageTextRecord($"synthetic/{i:D5}", s.Caption, s.Attributes))],
            [.. samples.Select(s => s.Image)]);

    /// <summary>
    /// Writes <c>dir/images/NNNNN.png</c> (lossless) and <c>dir/tsvName</c> with columns image, caption and the
    /// attributes of the first sample in their order (shapes: color, shape, relation, color2, shape2; patterns
    /// <see cref="SyntheticPatterns"/>: pattern, color, background), readable by <see cref="CsvImageTextSource"/>
    /// (<see cref="CsvSourceOptions.Split"/>). <paramref name="firstIndex"/> numbers the files.
    /// </summary>
    public static void WriteFolder(IReadOnlyList<SyntheticSample> samples, string dir, string tsvName = "train.tsv", int firstIndex = 0)
    {
        string[] columns = samples.Count > 0 ? [.. samples[0].Attributes.Keys] : ["color", "shape", "relation", "color2", "shape2"];
        Directory.CreateDirectory(Path.Combine(dir, "images"));
        var lines = new List<string> { Csv.FormatRow(["image", "caption", .. columns], '\t') };
        for (int i = 0; i < samples.Count; i++)
        {
            string name = $"{firstIndex + i:D5}.png";
            File.WriteAllBytes(Path.Combine(dir, "images", name), EncodePng(samples[i].Image));
            lines.Add(Csv.FormatRow([name, samples[i].Caption, .. columns.Select(c => samples[i].Attributes[c])], '\t'));
        }
        File.WriteAllText(Path.Combine(dir, tsvName), string.Join('\n', lines) + "\n");
    }

    /// <summary>Lossless PNG bytes of <paramref name="image"/>.</summary>
    public static byte[] EncodePng(RgbImage image)
    {
        using var sk = SKImage.FromPixelCopy(
            new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque), image.ToRgba());
        using var data = sk.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    static float Jitter(Random rng, double centre, double spread) => (float)(centre + spread * (2 * rng.NextDouble() - 1));

    static RgbImage Draw(int size, List<(int Color, int Shape, float X, float Y, float R)> objects)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            foreach (var (color, shape, x, y, r) in objects)
            {
                using var paint = new SKPaint { Color = Colors[color].Rgb, IsAntialias = true, Style = SKPaintStyle.Fill };
                switch (Shapes[shape])
                {
                    case "circle":
                        canvas.DrawCircle(x, y, r, paint);
                        break;
                    case "square": // half-side 0.85 r so a square and a circle of the same r look equally big
                        canvas.DrawRect(x - 0.85f * r, y - 0.85f * r, 1.7f * r, 1.7f * r, paint);
                        break;
                    default:
                        using (var builder = new SKPathBuilder())
                        {
                            builder.MoveTo(x, y - r);
                            builder.LineTo(x + r, y + 0.8f * r);
                            builder.LineTo(x - r, y + 0.8f * r);
                            builder.Close();
                            using var path = builder.Detach();
                            canvas.DrawPath(path, paint);
                        }
                        break;
                }
            }
            canvas.Flush();
        }
        return RgbImage.FromRgbaOverWhite(size, size, bitmap.GetPixelSpan());
    }
}
