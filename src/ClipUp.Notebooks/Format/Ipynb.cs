using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClipUp.Notebooks;

/// <summary>
/// Reads and writes .ipynb files (nbformat 4). Reading accepts <c>source</c>, stream text and MIME data as a string or
/// a list of lines; writing splits them into lines and formats the JSON as Jupyter does (<see cref="JupyterJson"/>),
/// so a notebook's diff shows only what changed. Metadata the model does not interpret is kept verbatim.
/// </summary>
public static class Ipynb
{
    public static Notebook Read(string path)
    {
        try { return Parse(File.ReadAllText(path)); }
        // GetValue<T> throws InvalidOperationException/FormatException for a value of the wrong JSON type.
        catch (Exception e) when (e is InvalidDataException or JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    public static void Write(string path, Notebook notebook) => File.WriteAllText(path, Serialize(notebook));

    public static Notebook Parse(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("a notebook is a JSON object");
        var format = root["nbformat"]?.GetValue<int>() ?? 0;
        if (format != 4)
            throw new InvalidDataException($"nbformat {format} is not supported: ClipUp reads nbformat 4 (re-save the notebook with Jupyter 4+)");
        var minor = root["nbformat_minor"]?.GetValue<int>() ?? 0;
        var cells = (root["cells"] as JsonArray ?? []).Select((c, i) => ParseCell(c as JsonObject ?? throw new InvalidDataException($"cell {i + 1} is not a JSON object"), i + 1));
        return new Notebook(cells.ToList(), CloneObject(root["metadata"]), format, minor);
    }

    public static string Serialize(Notebook notebook)
    {
        var cells = new JsonArray();
        foreach (var (cell, i) in notebook.Cells.Select((c, i) => (c, i)))
            cells.Add(CellJson(cell, notebook.NbFormatMinor >= 5 ? cell.Id ?? $"cell-{i + 1}" : null));
        var root = new JsonObject
        {
            ["cells"] = cells,
            ["metadata"] = notebook.Metadata.DeepClone(),
            ["nbformat"] = notebook.NbFormat,
            ["nbformat_minor"] = notebook.NbFormatMinor,
        };
        return JupyterJson.Serialize(root);
    }

    private static NotebookCell ParseCell(JsonObject c, int number)
    {
        var kind = c["cell_type"]?.GetValue<string>() switch
        {
            "code" => CellKind.Code,
            "markdown" => CellKind.Markdown,
            "raw" => CellKind.Raw,
            var other => throw new InvalidDataException($"cell {number} has cell_type '{other}': expected code, markdown or raw"),
        };
        var outputs = kind == CellKind.Code
            ? (c["outputs"] as JsonArray ?? []).Select(o => ParseOutput(o as JsonObject ?? [], number)).ToList()
            : [];
        return new NotebookCell(
            kind,
            JoinLines(c["source"]),
            CloneObject(c["metadata"]),
            outputs,
            c["execution_count"]?.GetValue<int>(),
            c["id"]?.GetValue<string>(),
            c["attachments"]?.DeepClone() as JsonObject);
    }

    private static CellOutput ParseOutput(JsonObject o, int cell) => o["output_type"]?.GetValue<string>() switch
    {
        "stream" => new StreamOutput(o["name"]?.GetValue<string>() ?? "stdout", JoinLines(o["text"])),
        "display_data" => new DisplayDataOutput(ParseData(o["data"]), CloneObject(o["metadata"])),
        "execute_result" => new ExecuteResultOutput(o["execution_count"]?.GetValue<int>(), ParseData(o["data"]), CloneObject(o["metadata"])),
        "error" => new ErrorOutput(
            o["ename"]?.GetValue<string>() ?? "", o["evalue"]?.GetValue<string>() ?? "",
            (o["traceback"] as JsonArray ?? []).Select(l => l?.GetValue<string>() ?? "").ToList()),
        var other => throw new InvalidDataException($"cell {cell} has an output of type '{other}': expected stream, display_data, execute_result or error"),
    };

    private static Dictionary<string, string> ParseData(JsonNode? data)
    {
        var bundle = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (mime, value) in data as JsonObject ?? [])
            bundle[mime] = Mime.IsJson(mime) ? value?.ToJsonString() ?? "null" : JoinLines(value);
        return bundle;
    }

    private static JsonObject CellJson(NotebookCell cell, string? id)
    {
        var json = new JsonObject
        {
            ["cell_type"] = cell.Kind switch { CellKind.Code => "code", CellKind.Markdown => "markdown", _ => "raw" },
            ["metadata"] = cell.Metadata.DeepClone(),
            ["source"] = SplitLines(cell.Source),
        };
        if (id is not null) json["id"] = id;
        if (cell.Attachments is not null) json["attachments"] = cell.Attachments.DeepClone();
        if (cell.Kind == CellKind.Code)
        {
            json["execution_count"] = cell.ExecutionCount;
            json["outputs"] = new JsonArray(cell.Outputs.Select(OutputJson).ToArray<JsonNode?>());
        }
        return json;
    }

    private static JsonObject OutputJson(CellOutput output) => output switch
    {
        StreamOutput s => new JsonObject { ["output_type"] = "stream", ["name"] = s.Name, ["text"] = SplitLines(s.Text) },
        DisplayDataOutput d => new JsonObject { ["output_type"] = "display_data", ["data"] = DataJson(d.Data), ["metadata"] = d.Metadata.DeepClone() },
        ExecuteResultOutput r => new JsonObject
        {
            ["output_type"] = "execute_result", ["execution_count"] = r.ExecutionCount, ["data"] = DataJson(r.Data), ["metadata"] = r.Metadata.DeepClone(),
        },
        ErrorOutput e => new JsonObject
        {
            ["output_type"] = "error", ["ename"] = e.EName, ["evalue"] = e.EValue,
            ["traceback"] = new JsonArray(e.Traceback.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
        },
        _ => throw new ArgumentException($"unknown output type {output.GetType().Name}", nameof(output)),
    };

    /// <summary>A MIME bundle as JSON; also used for Jupyter messages, which carry the same shape unsplit.</summary>
    internal static JsonObject DataJson(IReadOnlyDictionary<string, string> data, bool splitLines = true)
    {
        var json = new JsonObject();
        foreach (var (mime, value) in data)
            json[mime] = Mime.IsJson(mime) ? JsonNode.Parse(value)
                : splitLines && Mime.IsSplitIntoLines(mime) ? SplitLines(value) : JsonValue.Create(value);
        return json;
    }

    /// <summary>Splits after each '\n', keeping it, as Python's <c>splitlines(True)</c> does for '\n' text.</summary>
    internal static JsonArray SplitLines(string text)
    {
        var lines = new JsonArray();
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }

    private static string JoinLines(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        _ => node.GetValue<string>(),
    };

    private static JsonObject CloneObject(JsonNode? node) => node?.DeepClone() as JsonObject ?? new JsonObject();
}
