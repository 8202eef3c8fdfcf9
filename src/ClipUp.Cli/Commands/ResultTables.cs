using ClipUp.Experiments;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

/// <summary>Console tables of evaluation results.</summary>
public static class ResultTables
{
    /// <summary>
    /// One row per model. Columns that no row has (zero-shot when nothing was evaluated zero-shot) are left out, and no
    /// cell wraps or truncates: a table too wide for the console is widened (CliErrors sets a wide profile when output
    /// is redirected) rather than cut to "zero-sh…".
    /// </summary>
    public static Table Of(IEnumerable<(string Name, EvalResult Eval)> rows)
    {
        var list = rows.ToList();
        var columns = new List<(string Header, Func<EvalResult, double?> Value)>
        {
            ("T→I R@1", e => e.Retrieval?.TextToImageR1), ("R@5", e => e.Retrieval?.TextToImageR5), ("R@10", e => e.Retrieval?.TextToImageR10),
            ("I→T R@1", e => e.Retrieval?.ImageToTextR1), ("R@5", e => e.Retrieval?.ImageToTextR5), ("R@10", e => e.Retrieval?.ImageToTextR10),
            ("zero-shot top-1", e => e.ZeroShot?.Top1), ("top-5", e => e.ZeroShot?.Top5),
        };
        columns.RemoveAll(c => list.All(r => c.Value(r.Eval) is null));
        var table = new Table().Border(TableBorder.Simple).AddColumn(new TableColumn("model").NoWrap());
        foreach (var (header, _) in columns) table.AddColumn(new TableColumn(header).RightAligned().NoWrap());
        if (columns.Count == 0) table.AddColumn(new TableColumn("results").NoWrap());
        foreach (var (name, e) in list)
            table.AddRow([Markup.Escape(name), .. columns.Count == 0
                ? ["nothing evaluated: set eval.retrieval or eval.zero_shot"]
                : columns.Select(c => c.Value(e) is { } v ? v.ToString("F1") : "–")]);
        return table;
    }
}
