using ClipUp.Data;
using ClipUp.Mode;
using TorchSharp;

namespace ClipUp.Tests.Data;

public class SyntheticMixtureTests
{
    [Fact]
    public void WritingTwiceGivesTheSameTablesAndImages()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var config = new SyntheticMixtureConfig(TrainPerDomain: 12, ValPerDomain: 4);
        SyntheticMixture.Write(a.Path, config);
        SyntheticMixture.Write(b.Path, config);
        foreach (var domain in SyntheticMixture.Domains)
            foreach (var split in new[] { "train", "val" })
                Assert.Equal(File.ReadAllBytes(SyntheticMixture.Table(a.Path, domain, split)), File.ReadAllBytes(SyntheticMixture.Table(b.Path, domain, split)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, "patterns", "images", "00003.png")), File.ReadAllBytes(Path.Combine(b.Path, "patterns", "images", "00003.png")));

        var patterns = new CsvImageTextSource(new CsvSourceOptions(SyntheticMixture.Table(a.Path, "patterns", "val")) { ImageRoot = Path.Combine(a.Path, "patterns", "images") });
        Assert.Equal(4, patterns.Count);
        Assert.Contains(patterns[0].Attributes["pattern"], SyntheticPatterns.Patterns);
        var shapes = new CsvImageTextSource(new CsvSourceOptions(SyntheticMixture.Table(a.Path, "shapes", "train")) { ImageRoot = Path.Combine(a.Path, "shapes", "images") });
        Assert.Equal(12, shapes.Count);
        Assert.Contains(shapes[0].Attributes["shape"], SyntheticShapes.Shapes);
    }

    [Fact]
    public void AnExistingCompleteMixtureIsKeptAndOneOfOtherSizesIsReplaced()
    {
        using var dir = new TempDir();
        SyntheticMixture.Write(dir.Path, new SyntheticMixtureConfig(5, 2));
        var table = SyntheticMixture.Table(dir.Path, "shapes", "train");
        var stamp = File.GetLastWriteTimeUtc(table);
        SyntheticMixture.Write(dir.Path, new SyntheticMixtureConfig(5, 2));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(table));
        SyntheticMixture.Write(dir.Path, new SyntheticMixtureConfig(7, 2));
        Assert.Equal(8, File.ReadAllLines(table).Length);   // header + 7 rows
    }

    [Fact]
    public void TfIdfTwoStepClusteringIntoTwoExpertsRecoversTheDomains()
    {
        var shapes = SyntheticShapes.Generate(new SyntheticShapesConfig(300) { Seed = 1 }).Select(s => s.Caption);
        var patterns = SyntheticPatterns.Generate(new SyntheticShapesConfig(300) { Seed = 3 }).Select(s => s.Caption);
        var captions = shapes.Concat(patterns).ToList();
        var domain = Enumerable.Repeat(0, 300).Concat(Enumerable.Repeat(1, 300)).ToArray();
        var embedder = TfIdfEmbedder.Fit(captions, 512);
        using var generator = new torch.Generator(0);
        var clustering = TwoStepClustering.Fit([embedder.Embed(captions)], new TwoStepOptions(new KMeansOptions(8), new KMeansOptions(2, MaxIterations: 100)), generator);
        var experts = clustering.AssignExpert(embedder.Embed(captions)).data<long>().Select(v => (int)v).ToArray();
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(experts, domain), 6);
    }
}
