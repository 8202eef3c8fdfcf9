using System.Collections;
using System.Globalization;

namespace ClipUp.Notebooks;

/// <summary>
/// The formatter registry that turns a displayed value into a MIME bundle. Built-in formatters cover Plotly.NET charts
/// (<c>text/html</c> with plotly.js inlined once), Microsoft.Data.Analysis data frames (HTML table), SkiaSharp images
/// and image-shaped TorchSharp tensors (<c>image/png</c>), other tensors (shape, dtype and values) and sequences;
/// everything else is <c>text/plain</c> via <c>ToString()</c>. One instance per notebook, because the Plotly formatter
/// remembers whether plotly.js is already on the page. Later registrations win, so a notebook can override a type.
/// </summary>
public sealed class Display
{
    private readonly List<(Type Type, Func<object, IReadOnlyDictionary<string, string>?> Format)> formatters = [];

    /// <summary>The registry with ClipUp's built-in formatters.</summary>
    public static Display CreateDefault()
    {
        var display = new Display();
        var plotly = new PlotlyFormatter();
        display.Register<Plotly.NET.GenericChart>(plotly.Format);
        display.Register<Microsoft.Data.Analysis.DataFrame>(DataFrameFormatter.Format);
        display.Register<TorchSharp.torch.Tensor>(TensorFormatter.Format);
        display.Register<SkiaSharp.SKBitmap>(ImageFormatter.Format);
        display.Register<SkiaSharp.SKImage>(ImageFormatter.Format);
        return display;
    }

    /// <summary>Formats values of type <typeparamref name="T"/> (and subtypes); return null to fall through.</summary>
    public void Register<T>(Func<T, IReadOnlyDictionary<string, string>?> format) =>
        formatters.Add((typeof(T), v => format((T)v)));

    /// <summary>The MIME bundle for <paramref name="value"/>; always has <c>text/plain</c> unless a formatter omits it.</summary>
    public IReadOnlyDictionary<string, string> Format(object? value)
    {
        if (value is null) return Mime.PlainText("null");
        for (var i = formatters.Count - 1; i >= 0; i--)
            if (formatters[i].Type.IsInstanceOfType(value) && formatters[i].Format(value) is { } bundle)
                return bundle;
        return Mime.PlainText(PlainText(value));
    }

    /// <summary>Plain text for any value: sequences as <c>[a, b, c]</c> (first 100 items), the rest via ToString.</summary>
    public static string PlainText(object value)
    {
        const int max = 100;
        switch (value)
        {
            case string s: return s;
            case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
            case IDictionary d:
                var pairs = new List<string>();
                for (var it = d.GetEnumerator(); it.MoveNext() && pairs.Count <= max;)
                    pairs.Add($"{PlainText(it.Key)}: {(it.Value is null ? "null" : PlainText(it.Value))}");
                return "{" + string.Join(", ", pairs.Take(max)) + (pairs.Count > max ? ", …" : "") + "}";
            case IEnumerable e when value.GetType().FullName?.StartsWith("System.", StringComparison.Ordinal) == true || value is Array:
                var items = e.Cast<object?>().Take(max + 1).Select(x => x is null ? "null" : PlainText(x)).ToList();
                return "[" + string.Join(", ", items.Take(max)) + (items.Count > max ? ", …" : "") + "]";
            default: return value.ToString() ?? value.GetType().Name;
        }
    }
}
