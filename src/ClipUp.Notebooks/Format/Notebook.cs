using System.Text.Json.Nodes;

namespace ClipUp.Notebooks;

/// <summary>
/// A Jupyter notebook in nbformat 4: cells in order plus notebook-level metadata. Metadata is kept as JSON so keys this
/// model does not know (Polyglot, VS Code, jupytext) survive a read/write round trip unchanged.
/// </summary>
public sealed record Notebook(IReadOnlyList<NotebookCell> Cells, JsonObject Metadata, int NbFormat = 4, int NbFormatMinor = 5)
{
    /// <summary>A new notebook with ClipUp's kernel metadata (<see cref="NotebookMetadata.ForClipUp"/>).</summary>
    public static Notebook Create(params NotebookCell[] cells) =>
        NotebookMetadata.ForClipUp(new Notebook(cells, new JsonObject()));

    /// <summary>The code cells with their 1-based position among all cells (markdown and raw cells count too).</summary>
    public IEnumerable<(int Number, NotebookCell Cell)> CodeCells() =>
        Cells.Select((c, i) => (i + 1, c)).Where(x => x.Item2.Kind == CellKind.Code);
}

/// <summary>The three nbformat cell types.</summary>
public enum CellKind { Markdown, Code, Raw }

/// <summary>
/// One notebook cell. <paramref name="Source"/> is the joined text (nbformat stores it as a list of lines).
/// Only code cells have <paramref name="Outputs"/> and an <paramref name="ExecutionCount"/>; <paramref name="Id"/> is the
/// nbformat 4.5 cell id; <paramref name="Attachments"/> (markdown images) is kept verbatim.
/// </summary>
public sealed record NotebookCell(
    CellKind Kind,
    string Source,
    JsonObject Metadata,
    IReadOnlyList<CellOutput> Outputs,
    int? ExecutionCount = null,
    string? Id = null,
    JsonObject? Attachments = null)
{
    public static NotebookCell Code(string source) => new(CellKind.Code, source, new JsonObject(), []);
    public static NotebookCell Markdown(string source) => new(CellKind.Markdown, source, new JsonObject(), []);
    public static NotebookCell Raw(string source) => new(CellKind.Raw, source, new JsonObject(), []);
}
