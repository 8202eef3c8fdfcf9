namespace ClipUp.Notebooks.Tests.Runner;

public class NotebookRunnerTests
{
    [Fact]
    public async Task AnErrorInCell3IsReportedAsCell3AndStopsTheNotebookWithAFailedStatus()
    {
        using var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir.Path, "broken.ipynb");
        Ipynb.Write(path, Notebook.Create(
            NotebookCell.Code("var x = 1;"),
            NotebookCell.Code("x += 1;\nx"),
            NotebookCell.Code("Console.WriteLine(\"before\");\nthrow new InvalidOperationException($\"x is {x}\");"),
            NotebookCell.Code("\"never runs\"") with { Outputs = [new StreamOutput("stdout", "stale\n")], ExecutionCount = 9 }));

        var summary = await NotebookRunner.RunAsync([path], "smoke", outDir: null, TestContext.Current.CancellationToken);

        var result = Assert.Single(summary.Results);
        Assert.Equal(NotebookStatus.Failed, result.Status);
        Assert.Equal(3, result.FailingCell);
        Assert.Equal("cell 3 (line 2): InvalidOperationException: x is 2", result.Error);
        Assert.Equal(1, summary.ExitCode);
        var written = Ipynb.Read(path);
        Assert.Equal([1, 2, 3, null], written.Cells.Select(c => c.ExecutionCount));
        Assert.Collection(written.Cells[2].Outputs,
            o => Assert.Equal(new StreamOutput("stdout", "before\n"), o),
            o => Assert.Equal("cell 3 (line 2): InvalidOperationException: x is 2", Assert.IsType<ErrorOutput>(o).Traceback[0]));
        Assert.Empty(written.Cells[3].Outputs); // no stale output survives after the failure
    }

    [Fact]
    public async Task CellNumbersCountMarkdownCellsAsAReaderSeesThem()
    {
        var (_, failure) = await NotebookRunner.RunAsync(
            Notebook.Create(NotebookCell.Markdown("# Title"), NotebookCell.Code("var a = 1;"), NotebookCell.Code("a.Missing()")),
            new NotebookEngine("smoke", Path.GetTempPath()), TestContext.Current.CancellationToken);

        Assert.Equal(3, failure?.Cell);
        Assert.StartsWith("cell 3 (line 1, column 3): error CS1061", failure?.Error.Traceback[0]);
    }

    [Fact]
    public async Task APassingNotebookIsWrittenToTheOutFolderWithOutputsCountsAndKernelMetadata()
    {
        using var dir = TestPaths.NewTempDir();
        // Results for the requested profile are committed beside the notebooks folder, so the notebook runs with it.
        Directory.CreateDirectory(Path.Combine(dir.Path, "results", "headline", "full"));
        File.WriteAllText(Path.Combine(dir.Path, "results", "headline", "full", "dense-seed0.json"), "{}");
        Directory.CreateDirectory(Path.Combine(dir.Path, "notebooks"));
        var source = Path.Combine(dir.Path, "notebooks", "ok.ipynb");
        var original = Notebook.Create(
            NotebookCell.Markdown("Profile check"),
            NotebookCell.Code("Profile"),
            NotebookCell.Code(""),
            NotebookCell.Code("display(File.Exists(Path.Combine(NotebookDir, \"ok.ipynb\")));"));
        Ipynb.Write(source, original);
        var before = File.ReadAllText(source);
        var outDir = Path.Combine(dir.Path, "out");

        var summary = await NotebookRunner.RunAsync([source], "full", outDir, TestContext.Current.CancellationToken);

        var result = Assert.Single(summary.Results);
        Assert.Equal(NotebookStatus.Passed, result.Status);
        Assert.Null(result.FailingCell);
        Assert.Equal(0, summary.ExitCode);
        Assert.Equal(before, File.ReadAllText(source)); // the input is untouched
        var written = Ipynb.Read(Path.Combine(outDir, "ok.ipynb"));
        Assert.Equal("full", Assert.IsType<ExecuteResultOutput>(Assert.Single(written.Cells[1].Outputs)).Data[Mime.Plain]);
        Assert.Equal([null, 1, null, 2], written.Cells.Select(c => c.ExecutionCount)); // empty cells are skipped
        Assert.Equal("True", Assert.IsType<DisplayDataOutput>(Assert.Single(written.Cells[3].Outputs)).Data[Mime.Plain]);
        Assert.Equal("clipup-csharp", written.Metadata["kernelspec"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task RunningTheSameNotebookTwiceWritesTheSameFile()
    {
        using var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir.Path, "stable.ipynb");
        Ipynb.Write(path, Notebook.Create(
            NotebookCell.Code("var t = TorchSharp.torch.arange(6).reshape(2, 3);\nt"),
            NotebookCell.Code("Plotly.NET.CSharp.Chart.Point<int, int, string>(new[] { 1, 2 }, new[] { 3, 4 })")));

        await NotebookRunner.RunAsync([path], "smoke", null, TestContext.Current.CancellationToken);
        var first = File.ReadAllText(path);
        await NotebookRunner.RunAsync([path], "smoke", null, TestContext.Current.CancellationToken);

        Assert.Equal(first, File.ReadAllText(path));
    }

    [Fact]
    public async Task AnUnreadableNotebookFailsWithItsReasonAndTheNextNotebookStillRuns()
    {
        using var dir = TestPaths.NewTempDir();
        var bad = Path.Combine(dir.Path, "bad.ipynb");
        var good = Path.Combine(dir.Path, "good.ipynb");
        File.WriteAllText(bad, """{"nbformat": "four", "cells": []}""");
        Ipynb.Write(good, Notebook.Create(NotebookCell.Code("1")));

        var summary = await NotebookRunner.RunAsync([bad, good], "smoke", null, TestContext.Current.CancellationToken);

        Assert.Equal([NotebookStatus.Failed, NotebookStatus.Passed], summary.Results.Select(r => r.Status));
        Assert.StartsWith(bad, summary.Results[0].Error);
        Assert.Null(summary.Results[0].FailingCell);
        Assert.Equal("""{"nbformat": "four", "cells": []}""", File.ReadAllText(bad));
        Assert.Equal(1, summary.ExitCode);
    }

    [Fact]
    public async Task AMissingNotebookOrAnUnknownProfileIsRefusedBeforeAnythingRuns()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() => NotebookRunner.RunAsync(["/nonexistent/x.ipynb"], "smoke", null, TestContext.Current.CancellationToken));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => NotebookRunner.RunAsync([], "Fast!", null, TestContext.Current.CancellationToken));
        Assert.Contains("profile 'Fast!' is not a profile name", e.Message);
    }
}
