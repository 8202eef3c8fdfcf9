using System.Text.RegularExpressions;
using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class SyntheticShapesTests
{
    static readonly SyntheticShapesConfig Small = new(40) { Seed = 7 };

    [Fact]
    public void TheSameSeedGivesTheSameSet()
    {
        var a = SyntheticShapes.Generate(Small);
        var b = SyntheticShapes.Generate(Small);
        Assert.Equal(a.Select(s => s.Caption), b.Select(s => s.Caption));
        Assert.All(Enumerable.Range(0, a.Count), i => Assert.Equal(a[i].Image.Pixels, b[i].Image.Pixels));

        var other = SyntheticShapes.Generate(Small with { Seed = 8 });
        Assert.NotEqual(a.Select(s => s.Caption), other.Select(s => s.Caption));
    }

    [Fact]
    public void SampleIDependsOnlyOnTheSeedAndI()
    {
        var longer = SyntheticShapes.Generate(Small with { Count = 60 });
        var alone = SyntheticShapes.Sample(Small, 39);
        Assert.Equal(longer[39].Caption, alone.Caption);
        Assert.Equal(longer[39].Image.Pixels, alone.Image.Pixels);
    }

    [Fact]
    public void CaptionsFollowTheGrammarAndMatchTheAttributes()
    {
        var grammar = new Regex(@"^a (red|green|blue|yellow) (circle|square|triangle)( (left of|right of|above|below) a (red|green|blue|yellow) (circle|square|triangle))?$");
        var set = SyntheticShapes.Generate(new SyntheticShapesConfig(200));
        foreach (var s in set)
        {
            Assert.Matches(grammar, s.Caption);
            var a = s.Attributes;
            string expected = a["relation"] == ""
                ? $"a {a["color"]} {a["shape"]}"
                : $"a {a["color"]} {a["shape"]} {a["relation"]} a {a["color2"]} {a["shape2"]}";
            Assert.Equal(expected, s.Caption);
            Assert.False(a["color"] == a["color2"] && a["shape"] == a["shape2"], "the two objects must differ");
        }
        int pairs = set.Count(s => s.Attributes["relation"] != "");
        Assert.InRange(pairs, 70, 130); // PairFraction 0.5 of 200
    }

    [Fact]
    public void TheFirstObjectIsOnTheSideTheRelationNames()
    {
        // For pairs of two different colours, the centroid of each colour's pixels locates each object.
        var pairs = SyntheticShapes.Generate(new SyntheticShapesConfig(200) { PairFraction = 1 })
            .Where(s => s.Attributes["color"] != s.Attributes["color2"]).ToList();
        Assert.True(pairs.Count > 100);
        foreach (var s in pairs)
        {
            var (x1, y1) = Centroid(s.Image, s.Attributes["color"]);
            var (x2, y2) = Centroid(s.Image, s.Attributes["color2"]);
            bool holds = s.Attributes["relation"] switch
            {
                "left of" => x1 < x2 - 5,
                "right of" => x1 > x2 + 5,
                "above" => y1 < y2 - 5,
                _ => y1 > y2 + 5,
            };
            Assert.True(holds, $"{s.Caption}: centroids ({x1:F1}, {y1:F1}) and ({x2:F1}, {y2:F1})");
        }
    }

    [Fact]
    public void AWrittenFolderReadsBackLosslessly()
    {
        using var dir = new TempDir();
        var set = SyntheticShapes.Generate(Small);
        SyntheticShapes.WriteFolder(set, dir.Path);
        var source = new CsvImageTextSource(CsvSourceOptions.Split(dir.Path, "train"));
        Assert.Equal(set.Count, source.Count);
        for (int i = 0; i < set.Count; i++)
        {
            Assert.Equal(set[i].Caption, source[i].Caption);
            Assert.Equal(set[i].Attributes["shape"], source[i].Attributes["shape"]);
            Assert.Equal(set[i].Image.Pixels, source.LoadImage(i, new()).Pixels);
        }
    }

    static (double X, double Y) Centroid(RgbImage image, string color)
    {
        var target = SyntheticShapes.Colors.Single(c => c.Name == color).Rgb;
        double sx = 0, sy = 0;
        int n = 0;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                var (r, g, b) = image.GetPixel(x, y);
                if (Math.Abs(r - target.Red) + Math.Abs(g - target.Green) + Math.Abs(b - target.Blue) < 30)
                    (sx, sy, n) = (sx + x, sy + y, n + 1);
            }
        Assert.True(n > 0, $"no {color} pixels");
        return (sx / n, sy / n);
    }
}
