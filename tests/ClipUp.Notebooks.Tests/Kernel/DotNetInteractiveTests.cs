using System.Net;
using System.Text.RegularExpressions;

namespace ClipUp.Notebooks.Tests.Kernel;

/// <summary>
/// The notebooks under Microsoft's .NET Interactive kernel (what VS Code's Polyglot Notebooks runs): installs the
/// <c>Microsoft.dotnet-interactive</c> tool 1.0.712001 from NuGet into a temporary tool path, registers its
/// <c>.net-csharp</c> kernelspec, publishes ClipUp (CLIPUP_HOME for notebooks/clipup.csx), executes notebooks 00, 02,
/// 03 and 13 unchanged through <c>jupyter nbconvert --execute</c>, and requires every code cell to show the same text
/// as ClipUp's runner shows for it (text/plain of displays and results, stream text), numbers included.
/// </summary>
[Trait("Category", "Slow")]
public partial class DotNetInteractiveTests
{
    private const string ToolVersion = "1.0.712001";
    private static readonly string[] Notebooks = ["00-setup", "02-moe-anatomy", "03-upcycling-sanity", "13-mode-routing"];

    [Fact]
    public async Task NotebooksRunUnchangedUnderDotNetInteractiveWithTheSameOutputsAsClipUpsRunner()
    {
        var jupyter = RealJupyterTests.EnsureJupyter();
        using var dir = TestPaths.NewTempDir();
        var tools = Path.Combine(dir.Path, "tools");
        var (code, output) = ProcessRunner.Run(["dotnet", "tool", "install", "Microsoft.dotnet-interactive", "--version", ToolVersion, "--tool-path", tools],
            dir.Path, TimeSpan.FromMinutes(5));
        Assert.True(code == 0, $"installing Microsoft.dotnet-interactive {ToolVersion} from NuGet failed ({code}):\n{output}");

        // Its own installer writes the kernelspec; argv names `dotnet interactive` (a global tool), so point it at ours.
        var kernels = Path.Combine(dir.Path, "jupyter", "kernels");
        Directory.CreateDirectory(kernels);
        var tool = Path.Combine(tools, "dotnet-interactive");
        (code, output) = ProcessRunner.Run([tool, "jupyter", "install", "--path", kernels], dir.Path, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"dotnet-interactive jupyter install failed ({code}):\n{output}");
        var spec = Path.Combine(kernels, ".net-csharp", "kernel.json");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("\"dotnet\",\n    \"interactive\",", $"\"{tool}\",", StringComparison.Ordinal));
        Assert.Contains(tool, File.ReadAllText(spec));

        var home = Path.Combine(dir.Path, "clipup");
        (code, output) = ProcessRunner.Run(
            ["dotnet", "publish", Path.Combine(TestPaths.RepoRoot, "src", "ClipUp.Notebooks.Host", "ClipUp.Notebooks.Host.csproj"), "-c", "Release", "-o", home,
             "--artifacts-path", Path.Combine(dir.Path, "artifacts"), "-nologo", "-v:q",
             "-p:CreateHardLinksForCopyLocalIfPossible=true", "-p:CreateHardLinksForPublishFilesIfPossible=true"],
            TestPaths.RepoRoot, TimeSpan.FromMinutes(8));
        Assert.True(code == 0, $"dotnet publish failed ({code}):\n{output}");

        var theirs = Path.Combine(dir.Path, "dotnet-interactive");
        var ours = Path.Combine(dir.Path, "clipup-runner");
        var notebooks = Notebooks.Select(n => Path.Combine(TestPaths.RepoRoot, "notebooks", n + ".ipynb")).ToList();
        var summary = await NotebookRunner.RunAsync(notebooks, "smoke", ours, TestContext.Current.CancellationToken);
        Assert.Equal(0, summary.ExitCode);
        foreach (var nb in notebooks)
        {
            (code, output) = ProcessRunner.Run(
                [jupyter, "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=.net-csharp",
                 "--ExecutePreprocessor.timeout=600", "--output-dir", theirs, nb],
                Path.GetDirectoryName(nb)!, TimeSpan.FromMinutes(10),
                new Dictionary<string, string>
                {
                    ["JUPYTER_PATH"] = Path.Combine(dir.Path, "jupyter"),
                    ["JUPYTER_RUNTIME_DIR"] = Path.Combine(dir.Path, "runtime"),
                    ["JUPYTER_CONFIG_DIR"] = Path.Combine(dir.Path, "config"),
                    ["JUPYTER_DATA_DIR"] = Path.Combine(dir.Path, "data"),
                    ["CLIPUP_HOME"] = home,
                    ["CLIPUP_PROFILE"] = "smoke",
                    ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                });
            Assert.True(code == 0, $"nbconvert with .net-csharp failed on {Path.GetFileName(nb)} ({code}):\n{output[^Math.Min(output.Length, 6000)..]}");
            AssertSameOutputs(Ipynb.Read(Path.Combine(ours, Path.GetFileName(nb))), Ipynb.Read(Path.Combine(theirs, Path.GetFileName(nb))), Path.GetFileName(nb),
                [AppContext.BaseDirectory, home]);
        }
    }

    /// <param name="installs">ClipUp's folder in each process (the doctor table names where libtorch loaded from):
    /// replaced by one placeholder, and runs of spaces by one, since a table's column widths follow its longest cell.</param>
    private static void AssertSameOutputs(Notebook ours, Notebook theirs, string name, IReadOnlyList<string> installs)
    {
        string Normal(string text) => Spaces().Replace(installs.Aggregate(text, (t, dir) => t.Replace(dir.TrimEnd('/'), "<ClipUp>", StringComparison.Ordinal)), " ");
        Assert.Equal(ours.Cells.Count, theirs.Cells.Count);
        var compared = 0;
        for (var i = 0; i < ours.Cells.Count; i++)
        {
            if (ours.Cells[i].Kind != CellKind.Code || ours.Cells[i].Source.Contains("#load \"clipup.csx\"", StringComparison.Ordinal)) continue;
            var (a, b) = (Texts(ours.Cells[i]).Select(Normal).ToList(), Texts(theirs.Cells[i]).Select(Normal).ToList());
            Assert.True(a.SequenceEqual(b), $"{name} cell {i + 1} differs:\nClipUp runner: {string.Join(" | ", a)}\n.net-csharp:   {string.Join(" | ", b)}");
            compared += a.Count;
        }
        Assert.True(compared > 5, $"{name}: only {compared} outputs compared");
    }

    /// <summary>
    /// The text a reader sees in a cell: stream text (joined: kernels split it differently; .NET Interactive's
    /// compiler warning CS1701 about TorchSharp's System.Runtime.Numerics 8.0 reference removed), then each display
    /// or result as text/plain, or as the text of .NET Interactive's <c>&lt;pre&gt;</c> HTML for plain values.
    /// </summary>
    private static List<string> Texts(NotebookCell cell)
    {
        var streams = string.Concat(cell.Outputs.OfType<StreamOutput>().Select(s => s.Text));
        streams = Cs1701().Replace(streams, "").Trim('\n', '\r', ' ');
        var texts = cell.Outputs.Select(o => o switch
        {
            DisplayDataOutput d => Text(d.Data),
            ExecuteResultOutput r => Text(r.Data),
            ErrorOutput e => $"error {e.EName}: {e.EValue}",
            _ => null,
        }).OfType<string>().Where(t => t.Length > 0).ToList();
        return streams.Length > 0 ? [$"stream: {streams}", .. texts] : texts;
    }

    private static string Text(IReadOnlyDictionary<string, string> data) =>
        data.TryGetValue(Mime.Plain, out var plain) ? plain
        : data.TryGetValue(Mime.Html, out var html) && Pre().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : data.ContainsKey(Mime.Html) && data[Mime.Html].Contains("dotnet-interactive-this-cell", StringComparison.Ordinal) ? "" // the kernel's startup script
        : "non-text output";

    [GeneratedRegex(@"\s*warning CS1701: [^\n]*\n?")]
    private static partial Regex Cs1701();

    [GeneratedRegex(" {2,}")]
    private static partial Regex Spaces();

    [GeneratedRegex("<pre>(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex Pre();
}
