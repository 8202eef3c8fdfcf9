using System.Net;
using System.Reflection;
using Plotly.NET;

namespace ClipUp.Plots;

/// <summary>
/// Self-contained HTML for Plotly.NET charts: plotly.js is inlined from the copy Plotly.NET ships as a resource, so
/// reports and notebook outputs open offline and never reference a CDN.
/// </summary>
public static class PlotlyHtml
{
    private static readonly Lazy<string> script = new(LoadPlotlyJs);

    /// <summary>The plotly.min.js source bundled in Plotly.NET.dll.</summary>
    public static string PlotlyJs => script.Value;

    /// <summary>A chart as a <c>div</c> plus the script that draws it; expects <c>Plotly</c> already loaded on the page.</summary>
    public static string ChartFragment(GenericChart chart)
    {
        var html = GenericChart.toChartHTML(chart);
        if (html.Contains("cdn.plot.ly", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("Plotly.NET produced a CDN reference; ClipUp's HTML must stay offline");
        return html;
    }

    /// <summary>A whole page: title, inline plotly.js once, then the given HTML fragments in order.</summary>
    public static string Page(string title, IEnumerable<string> fragments)
    {
        var t = WebUtility.HtmlEncode(title);
        return $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{t}</title>
            <style>body{"{"}font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222{"}"}
            table{"{"}border-collapse:collapse;margin:1em 0{"}"} td,th{"{"}border:1px solid #ccc;padding:4px 10px;text-align:right{"}"}
            th{"{"}background:#f3f3f3{"}"} td:first-child,th:first-child{"{"}text-align:left{"}"} .note{"{"}color:#555{"}"}</style>
            <script type="text/javascript">{PlotlyJs}</script>
            </head><body><h1>{t}</h1>
            {string.Join("\n", fragments)}
            </body></html>
            """;
    }

    /// <summary>A simple HTML table; the first column is left-aligned (row labels).</summary>
    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? caption = null)
    {
        static string Cells(IEnumerable<string> cells, string tag) => string.Concat(cells.Select(c => $"<{tag}>{WebUtility.HtmlEncode(c)}</{tag}>"));
        var body = string.Concat(rows.Select(r => $"<tr>{Cells(r, "td")}</tr>"));
        var cap = caption is null ? "" : $"<caption>{WebUtility.HtmlEncode(caption)}</caption>";
        return $"<table>{cap}<tr>{Cells(header, "th")}</tr>{body}</table>";
    }

    private static string LoadPlotlyJs()
    {
        var asm = typeof(GenericChart).Assembly;
        var name = asm.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(".min.js", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException("plotly.min.js is not embedded in this Plotly.NET version");
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
