using System.Net;
using System.Text;
using Microsoft.Data.Analysis;

namespace ClipUp.Notebooks;

/// <summary>Microsoft.Data.Analysis data frames as an HTML table (first <see cref="MaxRows"/> rows) plus plain text.</summary>
internal static class DataFrameFormatter
{
    public const int MaxRows = 50;

    public static IReadOnlyDictionary<string, string> Format(DataFrame df) => new Dictionary<string, string>
    {
        [Mime.Html] = Html(df),
        [Mime.Plain] = df.ToString(),
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
                sb.Append("<td>").Append(WebUtility.HtmlEncode(column[r] is { } v ? Display.PlainText(v) : "null")).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (df.Rows.Count > shown)
            sb.Append("<p>").Append(shown).Append(" of ").Append(df.Rows.Count).Append(" rows</p>");
        return sb.ToString();
    }
}
