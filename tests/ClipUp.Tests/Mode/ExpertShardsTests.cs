using ClipUp.Mode;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public class ExpertShardsTests
{
    // Fine centres on the axes: s0 = (1, 0) and s2 = (−1, 0) → expert 0, s1 = (0, 1) → expert 1.
    private static readonly ExpertClustering Clustering = new(
        tensor(new float[] { 1, 0, 0, 1, -1, 0 }).view(3, 2), tensor(new float[] { 1, 0, 0, 1 }).view(2, 2), tensor(new long[] { 0, 1, 0 }), "test");

    [Fact]
    public void RowsGoToTheExpertOfTheirNearestFineCentreAcrossBatches()
    {
        // (0.9, 0.1) → s0 → 0; (0.1, 0.9) → s1 → 1; (−1, 0.2) → s2 → 0; (0.2, 1) → s1 → 1.
        var x = tensor(new float[] { 0.9f, 0.1f, 0.1f, 0.9f, -1, 0.2f, 0.2f, 1 }).view(4, 2);
        var a = ExpertShards.Assign([x.narrow(0, 0, 3), x.narrow(0, 3, 1)], Clustering);
        Assert.Equal([0, 1, 2, 1], a.Fine);
        Assert.Equal([0, 1, 0, 1], a.Expert);
        Assert.Equal([[0, 2], [1, 3]], ExpertShards.RowsPerExpert(a.Expert, 2));
    }

    [Fact]
    public void ManifestsRoundTripTheirRows()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"clipup-shards-{Guid.NewGuid():N}");
        try
        {
            var a = new ShardAssignment([0, 1, 2, 1], [0, 1, 0, 1]);
            var paths = ExpertShards.WriteManifests(dir, a, 2, keys: ["a.jpg", "b.jpg", "c.jpg", "d.jpg"]);
            Assert.Equal("expert_01.tsv", Path.GetFileName(paths[1]));
            Assert.Equal(["row\tfine\tkey", "1\t1\tb.jpg", "3\t1\td.jpg"], File.ReadAllLines(paths[1]));
            Assert.Equal([0, 2], ExpertShards.ReadManifest(paths[0]));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
