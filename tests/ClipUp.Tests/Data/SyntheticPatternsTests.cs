using System.Text.RegularExpressions;
using ClipUp.Data;
using ClipUp.Text;

namespace ClipUp.Tests.Data;

public class SyntheticPatternsTests
{
    static readonly SyntheticShapesConfig Small = new(60) { Seed = 3 };

    [Fact]
    public void TheSameSeedGivesTheSameSetAndSampleIDependsOnlyOnI()
    {
        var a = SyntheticPatterns.Generate(Small);
        var b = SyntheticPatterns.Generate(Small);
        Assert.Equal(a.Select(s => s.Caption), b.Select(s => s.Caption));
        Assert.All(Enumerable.Range(0, a.Count), i => Assert.Equal(a[i].Image.Pixels, b[i].Image.Pixels));
        Assert.Equal(a[41].Image.Pixels, SyntheticPatterns.Sample(Small, 41).Image.Pixels);
        Assert.NotEqual(a.Select(s => s.Caption), SyntheticPatterns.Generate(Small with { Seed = 4 }).Select(s => s.Caption));
    }

    [Fact]
    public void CaptionsFollowTheGrammarAndMatchTheAttributes()
    {
        var grammar = new Regex(@"^(purple|orange|black|pink) (vertical stripes|horizontal stripes|checkerboard|dots) on a (white|grey) background$");
        foreach (var s in SyntheticPatterns.Generate(Small with { Count = 200 }))
        {
            Assert.Matches(grammar, s.Caption);
            Assert.Equal($"{s.Attributes["color"]} {s.Attributes["pattern"]} on a {s.Attributes["background"]} background", s.Caption);
        }
    }

    [Fact]
    public void PixelsShowTheCaptionedColoursAndOrientation()
    {
        // Every pixel is the foreground or the background colour; vertical stripes are constant down each column,
        // horizontal stripes along each row, and both colours cover a real share of the image.
        foreach (var s in SyntheticPatterns.Generate(Small with { Count = 120 }))
        {
            var fg = SyntheticPatterns.Colors.Single(c => c.Name == s.Attributes["color"]);
            var bg = SyntheticPatterns.Backgrounds.Single(c => c.Name == s.Attributes["background"]);
            var img = s.Image;
            int front = 0;
            for (var y = 0; y < img.Height; y++)
                for (var x = 0; x < img.Width; x++)
                {
                    var p = img.GetPixel(x, y);
                    if (p == (fg.R, fg.G, fg.B)) front++;
                    else Assert.Equal((bg.R, bg.G, bg.B), p);
                }
            var share = front / (double)(img.Width * img.Height);
            Assert.InRange(share, s.Attributes["pattern"] == "dots" ? 0.08 : 0.3, s.Attributes["pattern"] == "dots" ? 0.35 : 0.7);
            if (s.Attributes["pattern"] == "vertical stripes")
                Assert.All(Enumerable.Range(0, img.Width), x => Assert.All(Enumerable.Range(0, img.Height), y => Assert.Equal(img.GetPixel(x, 0), img.GetPixel(x, y))));
            if (s.Attributes["pattern"] == "horizontal stripes")
                Assert.All(Enumerable.Range(0, img.Height), y => Assert.All(Enumerable.Range(0, img.Width), x => Assert.Equal(img.GetPixel(0, y), img.GetPixel(x, y))));
        }
    }

    [Fact]
    public void NoCaptionWordIsSharedWithTheShapesDomain()
    {
        // Words of two or more letters, as TF-IDF tokenises; "a" is the only shared token and it is not a word there.
        static HashSet<string> Words(IEnumerable<SyntheticSample> set) =>
            set.SelectMany(s => Regex.Matches(s.Caption.ToLowerInvariant(), @"\b\w\w+\b").Select(m => m.Value)).ToHashSet();
        var shapes = Words(SyntheticShapes.Generate(new SyntheticShapesConfig(400)));
        var patterns = Words(SyntheticPatterns.Generate(new SyntheticShapesConfig(400)));
        Assert.Contains("stripes", patterns);
        Assert.Contains("circle", shapes);
        Assert.Empty(shapes.Intersect(patterns));
    }
}
