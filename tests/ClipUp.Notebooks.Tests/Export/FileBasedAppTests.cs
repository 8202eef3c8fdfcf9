using ClipUp.Notebooks.Export;

namespace ClipUp.Notebooks.Tests.Export;

/// <summary>Notebooks as .NET 10 file-based apps (<c>clipup notebooks export NAME --to cs</c>).</summary>
public class FileBasedAppTests
{
    [Fact]
    public void CellsBecomeTopLevelStatementsWithUsingsHoistedAndFinalValuesDisplayed()
    {
        using var dir = TestPaths.NewTempDir();
        var nb = Notebook.Create(
            NotebookCell.Markdown("# Title"),
            NotebookCell.Code("// only for .NET Interactive\n#load \"clipup.csx\""),
            NotebookCell.Code("#r \"nuget: TorchSharp\"\nusing Microsoft.Data.Analysis;\nusing CSharpChart = Plotly.NET.CSharp.Chart;\nvar x = 20;"),
            NotebookCell.Code("x * 2 + 2"),
            NotebookCell.Code("display(x);"));

        var code = FileBasedApp.Export(nb, Path.Combine(dir.Path, "notebooks", "nb.ipynb"), Path.Combine(dir.Path, "out", "nb.cs"),
            Path.Combine(dir.Path, "src", "ClipUp.Notebooks", "ClipUp.Notebooks.csproj"));

        Assert.StartsWith("#!/usr/bin/env dotnet\n", code);
        Assert.Contains("\n#:project ../src/ClipUp.Notebooks/ClipUp.Notebooks.csproj\n", code);
        Assert.DoesNotContain("#load", code);
        Assert.DoesNotContain("#r ", code);
        var lines = code.Split('\n');
        var lastUsing = Array.FindLastIndex(lines, l => l.StartsWith("using ", StringComparison.Ordinal));
        Assert.True(Array.IndexOf(lines, "using CSharpChart = Plotly.NET.CSharp.Chart;") <= lastUsing);
        Assert.True(lastUsing < Array.IndexOf(lines, "var x = 20;"), "usings must precede the statements");
        Assert.Contains("// cell 4\ndisplay(x * 2 + 2);\n", code);
        Assert.Contains("// cell 5\ndisplay(x);\n", code);
        Assert.Contains("var NotebookDir = AppOutput.Resolve(\"../notebooks\");", code);
    }

    /// <summary>
    /// Notebook 13 exported into the repository (so Directory.Build.* apply, with the libstdc++ fix for TorchSharp) runs
    /// with <c>dotnet run</c>, prints the same answer as ClipUp's runner and writes its two charts as HTML files.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task AnExportedNotebookRunsWithDotnetRunAndWritesItsChartsToHtml()
    {
        var outDir = Path.Combine(TestPaths.RepoRoot, "artifacts", "export-test");
        if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        var app = FileBasedApp.Write(Path.Combine(TestPaths.RepoRoot, "notebooks", "13-mode-routing.ipynb"), Path.Combine(outDir, "13-mode-routing.cs"));
        using var runnerOut = TestPaths.NewTempDir();
        var summary = await NotebookRunner.RunAsync([Path.Combine(TestPaths.RepoRoot, "notebooks", "13-mode-routing.ipynb")], "smoke", runnerOut.Path, TestContext.Current.CancellationToken);
        var answer = Ipynb.Read(summary.Results[0].OutputPath).Cells.Last(c => c.Kind == CellKind.Code).Outputs.OfType<DisplayDataOutput>().Single().Data[Mime.Plain];

        var (code, output) = ProcessRunner.Run(["dotnet", "run", app], outDir, TimeSpan.FromMinutes(10),
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1", ["CLIPUP_PROFILE"] = "smoke" });

        Assert.True(code == 0, $"dotnet run {app} failed ({code}):\n{output[^Math.Min(output.Length, 6000)..]}");
        Assert.Contains(answer, output);
        foreach (var fig in new[] { "13-mode-routing.fig1.html", "13-mode-routing.fig2.html" })
            Assert.Contains("Plotly.newPlot(", File.ReadAllText(Path.Combine(outDir, fig)));
        Assert.Contains("13-mode-routing: 2 figure file(s)", output);
    }
}
