namespace ClipUp.Notebooks;

/// <summary>
/// The namespaces every notebook cell has imported, in ClipUp's kernel (<see cref="ScriptEnvironment"/>) and, through
/// notebooks/clipup.csx, in .NET Interactive; plus <c>using static TorchSharp.torch</c>, which script options cannot
/// express and each kernel adds as code.
/// </summary>
public static class NotebookImports
{
    /// <summary>System basics, TorchSharp, every ClipUp namespace and the notebook display helpers (ClipUp.Notebooks.Show).</summary>
    public static IReadOnlyList<string> Namespaces { get; } = [
        "System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Threading", "System.Threading.Tasks",
        "TorchSharp",
        .. typeof(ClipUp.Info).Assembly.GetExportedTypes()
            .Select(t => t.Namespace).OfType<string>()
            .Where(n => n == "ClipUp" || n.StartsWith("ClipUp.", StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal),
        "ClipUp.Notebooks.Show",
    ];

    /// <summary>The import that has to be a <c>using static</c> directive.</summary>
    public const string StaticUsing = "using static TorchSharp.torch;\n";

    /// <summary>All imports as C# using directives, for a kernel that takes them as code.</summary>
    public static string UsingDirectives() => string.Concat(Namespaces.Select(n => $"using {n};\n")) + StaticUsing;
}
