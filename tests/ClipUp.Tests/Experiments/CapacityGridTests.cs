using ClipUp.Experiments;

namespace ClipUp.Tests.Experiments;

public sealed class CapacityGridTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-grid-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void TheGridWrittenBesideTheResultsReadsBackAsTrainedRowsByEvaluatedColumnsOverSeeds()
    {
        CapacityGrid.Save(
        [
            new("cf-1.0", 1.0, 1.0, 49.0, Seed: 0), new("cf-1.0", 1.0, 2.0, 50.0, Seed: 0),
            new("cf-1.0", 1.0, 1.0, 51.0, Seed: 1), new("cf-1.0", 1.0, 2.0, 50.0, Seed: 1),
            new("cf-2.0", 2.0, 1.0, 47.0, Seed: 0), new("cf-2.0", 2.0, 2.0, 49.5, Seed: 0),
        ], dir);

        var grid = CapacityGrid.Load(dir);
        var table = CapacityGrid.Markdown(grid);

        Assert.Equal(6, grid.Count);
        Assert.Equal(new CapacityGridCell("cf-2.0", 2.0, 2.0, 49.5, Seed: 0), grid[^1]);
        Assert.Contains("over 2 seed(s)", table);
        Assert.Contains("| 1 | 50.0 ± 1.4 | 50.0 ± 0.0 |", table);   // (49 + 51) / 2, sample std √2
        Assert.Contains("| 2 | 47.0 | 49.5 |", table);              // one seed: no spread to show
        Assert.False(File.Exists(Path.Combine(dir, CapacityGrid.FileName + ".tmp")));
    }

    [Fact]
    public void ResultsWithoutAGridFileHaveAnEmptyGrid() => Assert.Empty(CapacityGrid.Load(dir));
}
