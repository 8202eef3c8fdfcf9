namespace ClipUp.Notebooks.Tests;

/// <summary>
/// The teaching series in notebooks/: every notebook runs top to bottom in the smoke profile (CPU, minutes) without a
/// failing cell. Outputs go to a temporary folder, so the committed notebooks are not rewritten by the tests. In the
/// default profile on purpose (issue 7: "the default test command executes every notebook"); each notebook's smoke run
/// is sized to stay within about a minute on CI's 2 cores.
/// </summary>
public sealed class SeriesTests
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task TheNotebookRunsGreenInTheSmokeProfile(string notebook)
    {
        using var outDir = TestPaths.NewTempDir();
        var path = Path.Combine(TestPaths.RepoRoot, "notebooks", notebook);

        var summary = await NotebookRunner.RunAsync([path], "smoke", outDir.Path, TestContext.Current.CancellationToken);

        var result = Assert.Single(summary.Results);
        Assert.True(result.Status == NotebookStatus.Passed,
            $"{notebook} failed at cell {result.FailingCell} after {result.Elapsed.TotalSeconds:F0} s: {result.Error}");
        Assert.True(File.Exists(Path.Combine(outDir.Path, notebook)), "the executed notebook was not written");
    }
}
