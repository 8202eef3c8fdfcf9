namespace ClipUp.Notebooks.Tests.Engine;

/// <summary>Runs cells in a fresh engine and returns what each produced.</summary>
internal static class Cells
{
    public static async Task<(IReadOnlyList<CellOutput> Outputs, CellRunResult Result)[]> RunAsync(params string[] cells) =>
        await RunAsync(new NotebookEngine("smoke", Path.GetTempPath()), cells);

    public static async Task<(IReadOnlyList<CellOutput> Outputs, CellRunResult Result)[]> RunAsync(NotebookEngine engine, params string[] cells)
    {
        var results = new List<(IReadOnlyList<CellOutput>, CellRunResult)>();
        foreach (var (code, i) in cells.Select((c, i) => (c, i + 1)))
        {
            var sink = new CollectingSink();
            var result = await engine.ExecuteAsync(code, new CellContext($"cell {i}", i), sink, TestContext.Current.CancellationToken);
            results.Add((sink.Outputs, result));
        }
        return results.ToArray();
    }

    public static string PlainResult(IReadOnlyList<CellOutput> outputs) =>
        Assert.IsType<ExecuteResultOutput>(Assert.Single(outputs)).Data[Mime.Plain];
}
