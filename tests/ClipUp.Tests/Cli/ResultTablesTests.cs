using ClipUp.Cli.Commands;
using ClipUp.Eval;
using ClipUp.Experiments;
using Spectre.Console;

namespace ClipUp.Tests.Cli;

public class ResultTablesTests
{
    private static string Render(Spectre.Console.Rendering.IRenderable table, int width)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = width;
        console.Write(table);
        return writer.ToString();
    }

    [Fact]
    public void TheQuickstartTableFitsEightyColumnsWithoutTruncationAndDropsEmptyColumns()
    {
        var eval = new EvalResult(new RetrievalMetrics(24.0, 55.5, 70.0, 26.0, 60.5, 75.0), null, 200, 200);
        var text = Render(ResultTables.Of([("dense", eval), ("dense-continued", eval), ("clip-up", eval)]), 80);
        Assert.DoesNotContain("…", text);
        Assert.Contains("dense-continued", text);              // one line, not "dense-con" / "tinued"
        Assert.DoesNotContain("zero-shot", text);               // no row has zero-shot results
        Assert.Contains("T→I R@1", text);
        Assert.All(text.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 80, line));
    }
}
