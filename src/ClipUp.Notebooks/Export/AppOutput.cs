using System.Runtime.CompilerServices;

namespace ClipUp.Notebooks.Export;

/// <summary>
/// Where an exported notebook's outputs go (<see cref="FileBasedApp"/>): each chart to <c>NAME.figN.html</c> (plotly.js
/// inline, so it opens offline), each image to <c>NAME.figN.png</c>, every other value as text on standard output, in
/// the same formatting as the notebook (<see cref="Display"/>).
/// </summary>
public sealed class AppOutput(string folder, string name)
{
    private readonly ClipUp.Notebooks.Display display = ClipUp.Notebooks.Display.CreateDefault();
    private int figures;

    /// <summary>The files written so far.</summary>
    public List<string> Files { get; } = [];

    /// <summary><paramref name="relative"/> against the folder of the calling source file (the exported .cs).</summary>
    public static string Resolve(string relative, [CallerFilePath] string caller = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(caller)!, relative));

    public void Display(object? value)
    {
        var bundle = display.Format(value);
        if (bundle.TryGetValue(Mime.Html, out var html) && value is Plotly.NET.GenericChart)
            Write($"{name}.fig{++figures}.html", $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n{html}\n</body></html>\n");
        else if (bundle.TryGetValue(Mime.Png, out var png))
            Write($"{name}.fig{++figures}.png", Convert.FromBase64String(png));
        else
            Console.WriteLine(bundle.TryGetValue(Mime.Plain, out var plain) ? plain : "");
    }

    /// <summary>Prints the list of files written.</summary>
    public void Finish() => Console.WriteLine($"{name}: {Files.Count} figure file(s): {string.Join(", ", Files.Select(Path.GetFileName))}");

    private void Write(string file, object content)
    {
        var path = Path.Combine(folder, file);
        if (content is string text) File.WriteAllText(path, text); else File.WriteAllBytes(path, (byte[])content);
        Files.Add(path);
        Console.WriteLine($"[figure {figures}: {file}]");
    }
}
