namespace ClipUp.Notebooks.Tests.Kernel;

/// <summary>
/// The kernel under real Jupyter: Debian's nbconvert/nbclient/jupyter_client execute a notebook through a kernelspec
/// that points at the built clipup-kernel. Installs the Debian packages when they are missing and the test runs as
/// root with apt-get; skips (saying why) otherwise.
/// </summary>
[Trait("Category", "Slow")]
public class RealJupyterTests
{
    private static readonly string[] Packages = ["jupyter-nbconvert", "python3-nbclient", "python3-jupyter-client", "python3-ipykernel"];

    [Fact]
    public void NbconvertExecutesANotebookThroughTheClipUpKernel()
    {
        var jupyter = EnsureJupyter();
        using var dir = TestPaths.NewTempDir();
        var jupyterPath = Path.Combine(dir.Path, "jupyter");
        KernelSpec.Install(Path.Combine(jupyterPath, "kernels"), TestPaths.KernelHostCommand());
        var nb = Path.Combine(dir.Path, "nb.ipynb");
        Ipynb.Write(nb, Notebook.Create(
            NotebookCell.Markdown("# Through Jupyter"),
            NotebookCell.Code("var x = 20;\nConsole.WriteLine(\"hello from C#\");"),
            NotebookCell.Code("x * 2 + 2"),
            NotebookCell.Code("display(ClipUp.Info.Name);\nzeros(3, 8, 8)")));

        var (code, output) = ProcessRunner.Run(
            [jupyter, "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=clipup-csharp",
             "--ExecutePreprocessor.timeout=300", "--output", "executed.ipynb", nb],
            dir.Path, TimeSpan.FromMinutes(6),
            new Dictionary<string, string>
            {
                ["JUPYTER_PATH"] = jupyterPath,
                ["JUPYTER_RUNTIME_DIR"] = Path.Combine(dir.Path, "runtime"),
                ["JUPYTER_CONFIG_DIR"] = Path.Combine(dir.Path, "config"),
                ["JUPYTER_DATA_DIR"] = Path.Combine(dir.Path, "data"),
                ["CLIPUP_PROFILE"] = "smoke",
            });

        Assert.True(code == 0, $"nbconvert exited with {code}:\n{output}");
        var executed = Ipynb.Read(Path.Combine(dir.Path, "executed.ipynb"));
        Assert.Equal(new StreamOutput("stdout", "hello from C#\n"), Assert.Single(executed.Cells[1].Outputs));
        var result = Assert.IsType<ExecuteResultOutput>(Assert.Single(executed.Cells[2].Outputs));
        Assert.Equal(("42", 2), (result.Data[Mime.Plain], result.ExecutionCount));
        Assert.Collection(executed.Cells[3].Outputs,
            o => Assert.Equal("ClipUp", Assert.IsType<DisplayDataOutput>(o).Data[Mime.Plain]),
            o => Assert.StartsWith("iVBORw0KGgo", Assert.IsType<ExecuteResultOutput>(o).Data[Mime.Png])); // PNG magic in base64
        // ClipUp writes a notebook byte for byte as Jupyter (nbformat) does.
        var jupyterText = File.ReadAllText(Path.Combine(dir.Path, "executed.ipynb"));
        Assert.Equal(jupyterText, Ipynb.Serialize(Ipynb.Parse(jupyterText)));
    }

    [Fact]
    public async Task NotebooksWrittenByTheRunnerPassNbformatValidation()
    {
        var jupyter = EnsureJupyter();
        using var dir = TestPaths.NewTempDir();
        var nb = Path.Combine(dir.Path, "all-outputs.ipynb");
        Ipynb.Write(nb, Notebook.Create(
            NotebookCell.Markdown("# Every output kind"),
            NotebookCell.Code("Console.WriteLine(\"out\"); Console.Error.WriteLine(\"err\");\ndisplay(zeros(3, 8, 8));\n1 + 1"),
            NotebookCell.Code("new Microsoft.Data.Analysis.DataFrame(new Microsoft.Data.Analysis.Int32DataFrameColumn(\"a\", new[] { 1 }))"),
            NotebookCell.Code("Plotly.NET.CSharp.Chart.Point<int, int, string>(new[] { 1 }, new[] { 2 })"),
            NotebookCell.Code("throw new InvalidOperationException(\"stop\");")));
        var summary = await NotebookRunner.RunAsync([nb], "smoke", null, TestContext.Current.CancellationToken);
        Assert.Equal(5, summary.Results[0].FailingCell); // the markdown cell counts

        var python = Path.Combine(Path.GetDirectoryName(jupyter)!, "python3");
        var (code, output) = ProcessRunner.Run(
            [python, "-c", "import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); " +
                           "sys.stdout.write(nbformat.writes(nb) + '\\n' == open(sys.argv[1], encoding='utf-8').read() and 'identical' or 'different')", nb],
            dir.Path, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"nbformat rejected the notebook:\n{output}");
        Assert.Equal("identical", output.Trim()); // and nbformat would write it exactly the same
    }

    /// <summary>The jupyter command, installing Debian's packages if needed and possible; otherwise the test is skipped.</summary>
    internal static string EnsureJupyter()
    {
        const string debianJupyter = "/usr/bin/jupyter";
        if (HasNbconvert(debianJupyter)) return debianJupyter;
        var aptGet = ProcessRunner.Which("apt-get");
        if (aptGet is null || Environment.UserName != "root")
            Assert.Skip($"Jupyter (nbconvert, nbclient) is not installed and cannot be installed here (apt-get {(aptGet is null ? "missing" : "present")}, user {Environment.UserName}): run `apt-get install -y {string.Join(' ', Packages)}` as root");
        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        var (code, output) = ProcessRunner.Run([aptGet, "install", "-y", "--no-install-recommends", .. Packages], "/", TimeSpan.FromMinutes(8), env);
        if (code != 0)
        {
            ProcessRunner.Run([aptGet, "update"], "/", TimeSpan.FromMinutes(5), env);
            (code, output) = ProcessRunner.Run([aptGet, "install", "-y", "--no-install-recommends", .. Packages], "/", TimeSpan.FromMinutes(8), env);
        }
        if (code != 0 || !HasNbconvert(debianJupyter))
            Assert.Skip($"installing {string.Join(' ', Packages)} with apt-get failed (exit {code}); Jupyter is needed for this test:\n{output[^Math.Min(output.Length, 2000)..]}");
        return debianJupyter;
    }

    private static bool HasNbconvert(string jupyter) =>
        File.Exists(jupyter) && ProcessRunner.Run([jupyter, "nbconvert", "--version"], "/", TimeSpan.FromMinutes(1)).ExitCode == 0;
}
