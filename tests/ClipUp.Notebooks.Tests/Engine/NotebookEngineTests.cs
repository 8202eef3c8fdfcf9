namespace ClipUp.Notebooks.Tests.Engine;

public class NotebookEngineTests
{
    [Fact]
    public async Task VariablesFunctionsAndUsingsPersistFromCellToCell()
    {
        var cells = await Cells.RunAsync(
            "using System.Text;\nvar x = 40;",
            "int Twice(int v) => 2 * v;\nx += 1;",
            "new StringBuilder().Append(Twice(x)).ToString()");

        Assert.All(cells, c => Assert.True(c.Result.Succeeded));
        Assert.Equal("82", Cells.PlainResult(cells[2].Outputs));
    }

    [Fact]
    public async Task OnlyAFinalExpressionWithoutSemicolonProducesAResult()
    {
        var cells = await Cells.RunAsync("1 + 1", "var y = 1 + 1;", "Math.Abs(-y);", "string? s = null; s", "ClipUp.Info.Name");

        Assert.Equal("2", Cells.PlainResult(cells[0].Outputs));
        Assert.Empty(cells[1].Outputs);
        Assert.Empty(cells[2].Outputs);
        Assert.Empty(cells[3].Outputs); // null shows nothing, like Python's None
        Assert.Equal("ClipUp", Cells.PlainResult(cells[4].Outputs));
        Assert.Equal(5, Assert.IsType<ExecuteResultOutput>(cells[4].Outputs[0]).ExecutionCount);
    }

    [Fact]
    public async Task ConsoleOutputAndDisplayCallsBecomeOutputsInTheOrderTheyHappen()
    {
        var (outputs, result) = (await Cells.RunAsync(
            "Console.Write(\"a\"); Console.WriteLine(\"b\");\nConsole.Error.WriteLine(\"warn\");\ndisplay(42);\nConsole.WriteLine(\"c\");\n\"done\""))[0];

        Assert.True(result.Succeeded);
        Assert.Collection(outputs,
            o => Assert.Equal(new StreamOutput("stdout", "ab\n"), o),
            o => Assert.Equal(new StreamOutput("stderr", "warn\n"), o),
            o => Assert.Equal("42", Assert.IsType<DisplayDataOutput>(o).Data[Mime.Plain]),
            o => Assert.Equal(new StreamOutput("stdout", "c\n"), o),
            o => Assert.Equal("done", Assert.IsType<ExecuteResultOutput>(o).Data[Mime.Plain]));
    }

    [Fact]
    public async Task AnExceptionNamesTheCellAndTheLineWithinIt()
    {
        var cells = await Cells.RunAsync(
            "var kept = 1;",
            "// a comment\nvar before = 2;\nthrow new InvalidOperationException(\"boom\");",
            "kept + before");

        var (outputs, result) = cells[1];
        Assert.False(result.Succeeded);
        var error = Assert.IsType<ErrorOutput>(Assert.Single(outputs));
        Assert.Equal("InvalidOperationException", error.EName);
        Assert.Equal("boom", error.EValue);
        Assert.Equal("cell 2 (line 3): InvalidOperationException: boom", error.Traceback[0]);
        // Assignments made before the exception are kept, as in Jupyter.
        Assert.Equal("3", Cells.PlainResult(cells[2].Outputs));
    }

    [Fact]
    public async Task AnExceptionInAFunctionFromAnEarlierCellPointsToBothCells()
    {
        var cells = await Cells.RunAsync(
            "int Fail(int v) =>\n    throw new ArgumentException($\"bad {v}\");",
            "var a = 1;\nFail(a)");

        var error = Assert.IsType<ErrorOutput>(Assert.Single(cells[1].Outputs));
        Assert.Equal("cell 2 (line 2): ArgumentException: bad 1", error.Traceback[0]);
        Assert.Contains("   at cell 1, line 2 in Fail", error.Traceback);
        Assert.Contains("   at cell 2, line 2", error.Traceback);
    }

    [Fact]
    public async Task ACompilationErrorGivesTheLineWithinTheCell()
    {
        var (outputs, result) = (await Cells.RunAsync("var ok = 1;", "var a = 1;\n\nvar b = missingName + a;"))[1];

        Assert.False(result.Succeeded);
        var error = Assert.IsType<ErrorOutput>(Assert.Single(outputs));
        Assert.Equal("CompilationError", error.EName);
        Assert.StartsWith("cell 2 (line 3, column 9): error CS0103: The name 'missingName' does not exist", error.Traceback[0]);
    }

    [Fact]
    public async Task NuGetReferencesToPackagesClipUpAlreadyHasAreAcceptedAndPolyglotMagicIsIgnored()
    {
        var (outputs, result) = (await Cells.RunAsync(
            "#!csharp\n#r \"nuget: TorchSharp, 0.105.0\"\n#r \"nuget:Plotly.NET.CSharp\"\n#r \"nuget: Microsoft.Data.Analysis, 0.21.1\"\nones(2).sum().item<float>()"))[0];

        Assert.True(result.Succeeded, result.Error?.EValue);
        Assert.Equal("2", Cells.PlainResult(outputs));
    }

    [Fact]
    public async Task AutogradModeFollowsTheNotebookNotTheThreadPoolThread()
    {
        // libtorch's grad mode is per thread and cells run on pool threads; 03-upcycling-sanity's open no_grad() scope
        // once left a pool thread without autograd, and a later notebook's training cell on that thread failed.
        var a = new NotebookEngine("smoke", Path.GetTempPath());
        var inA = await Cells.RunAsync(a, ["torch.set_grad_enabled(false);", .. Enumerable.Repeat("torch.is_grad_enabled()", 8)]);
        var b = new NotebookEngine("smoke", Path.GetTempPath());
        var inB = await Cells.RunAsync(b, [.. Enumerable.Repeat("torch.is_grad_enabled()", 8)]);

        Assert.All(inA.Skip(1), c => Assert.Equal("False", Cells.PlainResult(c.Outputs)));
        Assert.All(inB, c => Assert.Equal("True", Cells.PlainResult(c.Outputs)));
    }

    [Fact]
    public async Task TheBootstrapLineForOtherKernelsIsSkippedAndAnyOtherLoadIsCompiled()
    {
        // notebooks/clipup.csx uses .NET Interactive's API; this kernel must not compile it (it has no such API).
        var cells = await Cells.RunAsync("// comment\n#load \"clipup.csx\"", "#load \"../notebooks/clipup.csx\"\n1 + 1");
        Assert.All(cells, c => Assert.True(c.Result.Succeeded, c.Result.Error?.EValue));
        Assert.Equal("2", Cells.PlainResult(cells[1].Outputs));
        var missing = (await Cells.RunAsync("#load \"missing.csx\""))[0];
        Assert.False(missing.Result.Succeeded);
    }

    [Fact]
    public async Task ANuGetReferenceToAnyOtherPackageSaysItIsNotAvailableAndListsWhatIs()
    {
        var (outputs, result) = (await Cells.RunAsync("var x = 1;\n#r \"nuget: Newtonsoft.Json, 13.0.3\"\nx"))[0];

        Assert.False(result.Succeeded);
        var error = Assert.IsType<ErrorOutput>(Assert.Single(outputs));
        Assert.Contains("package Newtonsoft.Json is not available in the ClipUp kernel; ClipUp references: ClipUp, TorchSharp", error.EValue);
        Assert.StartsWith("cell 1 (line 2): package Newtonsoft.Json is not available", error.Traceback[0]);
    }

    [Fact]
    public async Task OtherPolyglotMagicCommandsAreRefusedByName()
    {
        var (outputs, _) = (await Cells.RunAsync("#!fsharp\nlet x = 1"))[0];
        Assert.Contains("#!fsharp is not supported", Assert.IsType<ErrorOutput>(Assert.Single(outputs)).EValue);
    }

    [Fact]
    public async Task CellsSeeTheProfileTheNotebookFolderAndTheDefaultImports()
    {
        using var dir = TestPaths.NewTempDir();
        var engine = new NotebookEngine("full", dir.Path);
        var (outputs, result) = (await Cells.RunAsync(engine,
            "$\"{Profile}|{NotebookDir == Path.GetFullPath(NotebookDir)}|{new List<int> { 1 }.Select(i => i).Count()}|{zeros(3).shape[0]}|{typeof(Info).Name}\""))[0];

        Assert.True(result.Succeeded, result.Error?.EValue);
        Assert.Equal("full|True|1|3|Info", Cells.PlainResult(outputs));
        Assert.Equal(Path.GetFullPath(dir.Path), engine.NotebookDir);
    }

    [Fact]
    public void AMalformedProfileNameIsRefusedWithTheRule()
    {
        var e = Assert.Throws<ArgumentException>(() => new NotebookEngine("Full profile", "."));
        Assert.Contains("profile 'Full profile' is not a profile name: use lower-case letters, digits and '-'", e.Message);
    }

    [Fact]
    public async Task CancellingARunningCellAbandonsItAndTheNextCellRuns()
    {
        var engine = new NotebookEngine("smoke", Path.GetTempPath());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var sink = new CollectingSink();
        var result = await engine.ExecuteAsync("var spin = 0;\nwhile (!CancellationToken.IsCancellationRequested) { spin++; Thread.Sleep(10); }", new CellContext("cell 1", 1), sink, cts.Token);

        Assert.True(result.Cancelled);
        Assert.StartsWith("cell 1: OperationCanceledException", Assert.IsType<ErrorOutput>(Assert.Single(sink.Outputs)).Traceback[0]);
        var next = (await Cells.RunAsync(engine, "1 + 2"))[0];
        Assert.Equal("3", Cells.PlainResult(next.Outputs));
    }
}
