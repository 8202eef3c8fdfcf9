namespace ClipUp.Notebooks.Tests.Runner;

/// <summary>Which profile a notebook runs with: the requested one only where its results are committed, else smoke.</summary>
public class NotebookProfileTests
{
    [Fact]
    public void TheRequestedProfileRunsOnlyWhereItsResultsAreCommitted()
    {
        using var dir = TestPaths.NewTempDir();
        var notebooks = Path.Combine(dir.Path, "notebooks");
        Directory.CreateDirectory(notebooks);

        var none = NotebookProfile.Choose(notebooks, "cpu");
        Directory.CreateDirectory(Path.Combine(dir.Path, "results", "headline", "cpu"));
        var emptyFolder = NotebookProfile.Choose(notebooks, "cpu");
        File.WriteAllText(Path.Combine(dir.Path, "results", "headline", "cpu", "dense-seed0.json"), "{}");
        var committed = NotebookProfile.Choose(notebooks, "cpu");

        Assert.Equal(("smoke", "cpu"), (none.Name, none.Requested));
        Assert.Contains("cpu was requested but results/*/cpu/ holds no results", none.Reason);
        Assert.Equal("smoke", emptyFolder.Name);
        Assert.Equal("cpu", committed.Name);
        Assert.Contains("1 experiment(s) under results/*/cpu/ (headline)", committed.Reason);
        Assert.Equal("smoke", NotebookProfile.Choose(notebooks, "smoke").Name);
    }

    [Fact]
    public void AnyLowerCaseNameIsAProfileAndOthersAreRefused()
    {
        NotebookProfile.Validate("full");
        NotebookProfile.Validate("cpu-2");
        var e = Assert.Throws<ArgumentException>(() => NotebookProfile.Validate("../full"));
        Assert.Contains("profile '../full' is not a profile name", e.Message);
    }
}
