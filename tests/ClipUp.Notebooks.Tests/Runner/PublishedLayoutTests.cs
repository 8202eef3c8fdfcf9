namespace ClipUp.Notebooks.Tests.Runner;

/// <summary>
/// Roslyn scripting compiles cells against the files the process was loaded from; this checks that a published
/// clipup-kernel (not only a build or test output folder) finds them. In-process tests cover the test output folder.
/// </summary>
[Trait("Category", "Slow")]
public class PublishedLayoutTests
{
    [Fact]
    public void APublishedHostRunsANotebookThatUsesClipUpTorchSharpPlotlyAndDataFrames()
    {
        using var dir = TestPaths.NewTempDir();
        var publish = Path.Combine(dir.Path, "publish");
        var project = Path.Combine(TestPaths.RepoRoot, "src", "ClipUp.Notebooks.Host", "ClipUp.Notebooks.Host.csproj");
        // Own artifacts folder, so the repository's bin/obj (in use by other tests) are untouched; hard links keep
        // the 1.5 GB of libtorch from being copied twice.
        var (code, output) = ProcessRunner.Run(
            ["dotnet", "publish", project, "-c", "Release", "-o", publish, "--artifacts-path", Path.Combine(dir.Path, "artifacts"), "-nologo", "-v:q",
             "-p:CreateHardLinksForCopyLocalIfPossible=true", "-p:CreateHardLinksForPublishFilesIfPossible=true"],
            TestPaths.RepoRoot, TimeSpan.FromMinutes(8));
        Assert.True(code == 0, $"dotnet publish failed ({code}):\n{output}");

        var nb = Path.Combine(dir.Path, "nb.ipynb");
        Ipynb.Write(nb, Notebook.Create(
            NotebookCell.Code("#r \"nuget: TorchSharp\"\nvar t = ones(2, 2);\n$\"{ClipUp.Info.Name} {t.sum().item<float>()}\""),
            NotebookCell.Code("var df = new Microsoft.Data.Analysis.DataFrame(new Microsoft.Data.Analysis.Int32DataFrameColumn(\"a\", new[] { 1, 2 }));\ndf"),
            NotebookCell.Code("Plotly.NET.CSharp.Chart.Point<int, int, string>(new[] { 1 }, new[] { 2 })")));
        var exe = Path.Combine(publish, OperatingSystem.IsWindows() ? "clipup-kernel.exe" : "clipup-kernel");
        (code, output) = ProcessRunner.Run([exe, "notebooks", "run", "--profile", "smoke", "--out", Path.Combine(dir.Path, "out"), nb],
            dir.Path, TimeSpan.FromMinutes(3));

        Assert.True(code == 0, $"notebooks run failed ({code}):\n{output}");
        var executed = Ipynb.Read(Path.Combine(dir.Path, "out", "nb.ipynb"));
        Assert.Equal("ClipUp 4", Assert.IsType<ExecuteResultOutput>(Assert.Single(executed.Cells[0].Outputs)).Data[Mime.Plain]);
        Assert.StartsWith("<table>", Assert.IsType<ExecuteResultOutput>(Assert.Single(executed.Cells[1].Outputs)).Data[Mime.Html]);
        Assert.Contains("plotly.js (cartesian - minified) v2.30.1", Assert.IsType<ExecuteResultOutput>(Assert.Single(executed.Cells[2].Outputs)).Data[Mime.Html]);
    }
}
