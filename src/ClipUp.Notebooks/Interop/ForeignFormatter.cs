using System.Net;

namespace ClipUp.Notebooks.Interop;

/// <summary>
/// ClipUp's formatters (<see cref="Display"/>) for a kernel that asks for one MIME type at a time, as .NET
/// Interactive's <c>Formatter.Register(type, (value, writer) =&gt; ..., mimeType)</c> does (notebooks/clipup.csx).
/// The text/plain output equals ClipUp's kernel's, so executed notebooks can be compared across kernels; text/html is
/// ClipUp's HTML, or the PNG as an inline image. One instance per notebook: the first chart carries plotly.js.
/// </summary>
public sealed class ForeignFormatter
{
    private readonly Display display = Display.CreateDefault();
    private object? last;
    private IReadOnlyDictionary<string, string>? lastBundle;

    /// <summary>The types ClipUp formats itself (the rest keep the host kernel's formatting).</summary>
    public static IReadOnlyList<Type> Types { get; } = [
        typeof(Plotly.NET.GenericChart), typeof(Microsoft.Data.Analysis.DataFrame), typeof(TorchSharp.torch.Tensor),
        typeof(SkiaSharp.SKBitmap), typeof(SkiaSharp.SKImage),
    ];

    /// <summary>
    /// <paramref name="value"/> as <paramref name="mime"/> (text/html or text/plain). The value is formatted once
    /// for all its MIME types: a kernel asking twice must not see two charts (two ids, plotly.js only in the first).
    /// </summary>
    public string Format(object value, string mime)
    {
        if (!ReferenceEquals(value, last) || lastBundle is null)
            (last, lastBundle) = (value, display.Format(value));
        var bundle = lastBundle;
        return mime switch
        {
            Mime.Plain => bundle.TryGetValue(Mime.Plain, out var plain) ? plain : "",
            Mime.Html when bundle.TryGetValue(Mime.Html, out var html) => html,
            Mime.Html when bundle.TryGetValue(Mime.Png, out var png) => $"<img src=\"data:image/png;base64,{png}\"/>",
            Mime.Html => $"<pre>{WebUtility.HtmlEncode(bundle.TryGetValue(Mime.Plain, out var p) ? p : "")}</pre>",
            _ => throw new ArgumentException($"MIME type {mime} is not one ClipUp formats: use {Mime.Html} or {Mime.Plain}", nameof(mime)),
        };
    }
}
