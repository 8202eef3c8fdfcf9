using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class DataSamplesTests
{
    static readonly string Committed = Path.Combine(TestData.RepoRoot, "data-samples");

    [Fact]
    public void CommittedSamplesMatchTheGenerator()
    {
        TestData.RequireShared("README.md");
        using var dir = new TempDir();
        var summary = DataSamples.Write(TestData.SharedData, dir.Path, seed: 0);

        var committed = Directory.GetFiles(Committed, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Committed, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(committed, summary.Files);
        foreach (var file in summary.Files)
            Assert.True(File.ReadAllBytes(Path.Combine(dir.Path, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(Committed, file))),
                $"{file} differs from a fresh DataSamples.Write: regenerate data-samples (clipup data samples)");
    }

    [Fact]
    public void CommittedSamplesAreSmallAndDocumented()
    {
        long flickr = Directory.GetFiles(Path.Combine(Committed, "flickr8k"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.InRange(flickr, 100_000, 2_000_000);
        foreach (var set in new[] { "flickr8k", "fashion", "cifar10", "synthetic" })
            Assert.Contains("Provenance and licence", File.ReadAllText(Path.Combine(Committed, set, "README.md")));
        Assert.Contains("research use only", File.ReadAllText(Path.Combine(Committed, "flickr8k", "README.md")));
    }
}
