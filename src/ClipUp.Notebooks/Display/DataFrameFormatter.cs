using System.Net;
using System.Text;
using ClipUp.Notebooks.Show;
using Microsoft.Data.Analysis;

namespace ClipUp.Notebooks;

/// <summary>
/// Microsoft.Data.Analysis data frames as an HTML table and an aligned plain-text table (first <see cref="MaxRows"/>
/// rows). Floating-point cells show at most 4 significant digits (<see cref="Num.Short"/>): a table never prints
/// <c>0.9999999403953552</c>; a notebook that wants percent or parameter counts formats the column itself (<see cref="Num"/>).
/// </summary>
internal static class DataFrameFormatter
{
    public const int MaxRows = 50;

    public static IReadOnlyDictionary<string, string> Format(DataFrame df) => new Dictionary<string, string>
    {
        [Mime.Html] = Html(df),
        [Mime.Plain] = Plain(df),
    };

    /// <summary>The text of one cell: floating point to at most 4 significant digits, the rest as <see cref="Display.PlainText"/>.</summary>
    public static string Cell(object? value) => value switch
    {
        null => "null",
        double d => Num.Short(d),
        float f => Num.Short(f),
        _ => Display.PlainText(value),
    };

    private static string Html(DataFrame df)
    {
        var sb = new StringBuilder("<table><thead><tr><th></th>");
        foreach (var column in df.Columns)
            sb.Append("<th>").Append(WebUtility.HtmlEncode(column.Name)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        var shown = Math.Min(df.Rows.Count, MaxRows);
        for (long r = 0; r < shown; r++)
        {
            sb.Append("<tr><td><b>").Append(r).Append("</b></td>");
            foreach (var column in df.Columns)
                sb.Append("<td>").Append(WebUtility.HtmlEncode(Cell(column[r]))).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (df.Rows.Count > shown)
            sb.Append("<p>").Append(shown).Append(" of ").Append(df.Rows.Count).Append(" rows</p>");
        return sb.ToString();
    }

    private static string Plain(DataFrame df)
    {
        var shown = (int)Math.Min(df.Rows.Count, MaxRows);
        var table = df.Columns.Select(c => new[] { c.Name }.Concat(Enumerable.Range(0, shown).Select(r => Cell(c[r]))).ToList()).ToList();
        var widths = table.Select(col => col.Max(s => s.Length)).ToList();
        var sb = new StringBuilder();
        for (var r = 0; r <= shown; r++)
            sb.AppendJoin("  ", table.Select((col, c) => col[r].PadRight(widths[c]))).Append('\n');
        if (df.Rows.Count > shown) sb.Append(shown).Append(" of ").Append(df.Rows.Count).Append(" rows\n");
        return sb.ToString().TrimEnd('\n');
    }
}
