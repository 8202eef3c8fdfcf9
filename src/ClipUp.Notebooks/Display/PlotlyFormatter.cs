using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Plotly.NET;

namespace ClipUp.Notebooks;

/// <summary>
/// Plotly.NET charts as <c>text/html</c> that works offline: the first chart of a notebook carries plotly.js itself,
/// later charts use the <c>Plotly</c> global it defines. No output ever references a CDN. The script is plotly.js's
/// cartesian bundle (1.3 MB: scatter, bar, heatmap, box, histogram, contour; MIT, plotly-cartesian.LICENSE.txt) instead
/// of the full 3.6 MB plotly.min.js that Plotly.NET embeds: the notebooks draw only cartesian charts, and a notebook
/// with charts carries the script once. Chart element ids are derived from the chart's JSON and its position instead of
/// Plotly.NET's random GUIDs, so re-running an unchanged notebook rewrites identical outputs.
/// </summary>
internal sealed partial class PlotlyFormatter
{
    private bool scriptEmitted;
    private int chartCount;

    /// <summary>The first line of the bundled script's banner, which names its version.</summary>
    public const string Banner = "plotly.js (cartesian - minified) v2.30.1";

    private static readonly Lazy<string> plotlyJs = new(() =>
    {
        using var stream = typeof(PlotlyFormatter).Assembly.GetManifestResourceStream("plotly-cartesian.min.js")
            ?? throw new InvalidOperationException("plotly-cartesian.min.js is not embedded in ClipUp.Notebooks.dll");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    /// <summary>plotly.js's cartesian bundle, embedded in ClipUp.Notebooks.dll.</summary>
    public static string PlotlyJs => plotlyJs.Value;

    public IReadOnlyDictionary<string, string> Format(GenericChart chart)
    {
        var html = GenericChart.toChartHTML(chart);
        chartCount++;
        var id = "clipup_plot_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{chartCount}\n{GenericChart.toJson(chart)}")))[..16];
        if (GeneratedId().Match(html) is { Success: true } m)
        {
            var guid = m.Groups[1].Value;
            html = html.Replace(guid, id, StringComparison.Ordinal).Replace(guid.Replace("-", ""), id, StringComparison.Ordinal);
        }
        // A chart whose plotly.js-carrying predecessor was cleared says so instead of failing silently.
        html = html.Replace($"renderPlotly_{id}();",
            $"if (typeof Plotly === 'undefined') {{ document.getElementById('{id}').textContent = " +
            "'plotly.js is loaded by the first chart of this notebook: run that cell first.'; } " +
            $"else {{ renderPlotly_{id}(); }}", StringComparison.Ordinal);
        var prefix = scriptEmitted ? "" : ScriptTag();
        scriptEmitted = true;
        return new Dictionary<string, string>
        {
            [Mime.Html] = prefix + html,
            [Mime.Plain] = $"Plotly chart ({id})",
        };
    }

    /// <summary>
    /// plotly.js in a script tag. The bundle is UMD: where the page has RequireJS (classic Jupyter) or CommonJS it
    /// would register a module instead of the <c>Plotly</c> global, so <c>define</c>, <c>module</c> and
    /// <c>exports</c> are shadowed with undefined parameters.
    /// </summary>
    private static string ScriptTag() =>
        "<script type=\"text/javascript\">\nif (typeof Plotly === 'undefined') { (function (define, module, exports) {\n" +
        PlotlyJs + "\n}).call(window); }\n</script>\n";


    [GeneratedRegex("<div id=\"([0-9a-fA-F-]{36})\"")]
    private static partial Regex GeneratedId();
}
