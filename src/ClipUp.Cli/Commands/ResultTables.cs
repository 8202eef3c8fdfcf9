using ClipUp.Experiments;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

/// <summary>Console tables of evaluation results.</summary>
public static class ResultTables
{
    public static Table Of(IEnumerable<(string Name, EvalResult Eval)> rows)
    {
        var table = new Table().AddColumns("model", "T→I R@1", "R@5", "R@10", "I→T R@1", "R@5", "R@10", "zero-shot top-1", "top-5");
        foreach (var (name, e) in rows)
        {
            var r = e.Retrieval;
            var z = e.ZeroShot;
            string F(double? v) => v is { } x ? x.ToString("F1") : "–";
            table.AddRow(Markup.Escape(name), F(r?.TextToImageR1), F(r?.TextToImageR5), F(r?.TextToImageR10),
                F(r?.ImageToTextR1), F(r?.ImageToTextR5), F(r?.ImageToTextR10), F(z?.Top1), F(z?.Top5));
        }
        return table;
    }
}
