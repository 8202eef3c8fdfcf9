using System.Text.Json.Nodes;

namespace ClipUp.Notebooks;

/// <summary>
/// The metadata that lets one .ipynb open in both the ClipUp kernel and Polyglot Notebooks (.NET Interactive):
/// our kernelspec and language_info at the top, and in every code cell the language tags Polyglot reads. Existing keys
/// are kept; only these are set.
/// </summary>
public static class NotebookMetadata
{
    public const string KernelName = "clipup-csharp";
    public const string DisplayName = "C# (ClipUp)";
    public const string Language = "C#";

    public static JsonObject KernelSpecJson() => new() { ["name"] = KernelName, ["display_name"] = DisplayName, ["language"] = Language };

    /// <summary>The <c>language_info</c> that the kernel also sends in <c>kernel_info_reply</c>.</summary>
    public static JsonObject LanguageInfoJson() => new()
    {
        ["name"] = Language,
        ["version"] = "14.0",
        ["mimetype"] = "text/x-csharp",
        ["file_extension"] = ".cs",
        ["pygments_lexer"] = "csharp",
        ["codemirror_mode"] = "text/x-csharp",
    };

    /// <summary>The notebook with ClipUp's kernelspec, language_info and per-cell Polyglot tags set.</summary>
    public static Notebook ForClipUp(Notebook notebook)
    {
        var meta = (JsonObject)notebook.Metadata.DeepClone();
        meta["kernelspec"] = KernelSpecJson();
        meta["language_info"] = LanguageInfoJson();
        meta["polyglot_notebook"] ??= new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = "csharp",
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
            },
        };
        var cells = notebook.Cells.Select(c => c.Kind == CellKind.Code ? c with { Metadata = WithPolyglotTags(c.Metadata) } : c).ToList();
        return notebook with { Cells = cells, Metadata = meta };
    }

    private static JsonObject WithPolyglotTags(JsonObject metadata)
    {
        var meta = (JsonObject)metadata.DeepClone();
        meta["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" };
        meta["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" };
        return meta;
    }
}
