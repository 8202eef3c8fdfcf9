namespace ClipUp.Notebooks;

/// <summary>MIME type names and the nbformat rules that depend on them.</summary>
public static class Mime
{
    public const string Plain = "text/plain";
    public const string Html = "text/html";
    public const string Png = "image/png";
    public const string Json = "application/json";

    /// <summary>JSON MIME types are stored as JSON values in .ipynb, not as text (nbformat <c>_is_json_mime</c>).</summary>
    public static bool IsJson(string mime) =>
        mime == Json || (mime.StartsWith("application/", StringComparison.Ordinal) && mime.EndsWith("+json", StringComparison.Ordinal));

    /// <summary>
    /// Whether nbformat writes this MIME type as a list of lines: <c>text/*</c> plus SVG and JavaScript. Base64 images
    /// stay one string, as Jupyter writes them (nbformat <c>v4.rwbase.split_lines</c>).
    /// </summary>
    public static bool IsSplitIntoLines(string mime) =>
        mime.StartsWith("text/", StringComparison.Ordinal) || mime is "image/svg+xml" or "application/javascript";

    /// <summary>A bundle with only <c>text/plain</c>.</summary>
    public static IReadOnlyDictionary<string, string> PlainText(string text) => new Dictionary<string, string> { [Plain] = text };
}
