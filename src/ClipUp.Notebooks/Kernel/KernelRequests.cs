using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis.CSharp;

namespace ClipUp.Notebooks;

/// <summary>The pure parts of the kernel's replies: kernel info, completeness checks, output messages, cursor units.</summary>
public static class KernelRequests
{
    public static JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "clipup",
        ["implementation_version"] = typeof(KernelRequests).Assembly.GetName().Version?.ToString() ?? "0",
        ["language_info"] = NotebookMetadata.LanguageInfoJson(),
        ["banner"] = "ClipUp C# kernel (Roslyn scripting; TorchSharp, Plotly.NET, Microsoft.Data.Analysis, SkiaSharp)",
        ["help_links"] = new JsonArray(),
    };

    /// <summary><c>complete</c> when the code is a whole submission (Roslyn's <c>IsCompleteSubmission</c>), else <c>incomplete</c>.</summary>
    public static JsonObject IsComplete(string code)
    {
        var tree = SyntaxFactory.ParseSyntaxTree(code, new CSharpParseOptions(LanguageVersion.Latest, kind: Microsoft.CodeAnalysis.SourceCodeKind.Script));
        return SyntaxFactory.IsCompleteSubmission(tree)
            ? new JsonObject { ["status"] = "complete" }
            : new JsonObject { ["status"] = "incomplete", ["indent"] = "" };
    }

    /// <summary>The IOPub message type and content for one cell output.</summary>
    public static (string Type, JsonObject Content) OutputMessage(CellOutput output) => output switch
    {
        StreamOutput s => ("stream", new JsonObject { ["name"] = s.Name, ["text"] = s.Text }),
        DisplayDataOutput d => ("display_data", new JsonObject
        {
            ["data"] = Ipynb.DataJson(d.Data, splitLines: false), ["metadata"] = d.Metadata.DeepClone(), ["transient"] = new JsonObject(),
        }),
        ExecuteResultOutput r => ("execute_result", new JsonObject
        {
            ["execution_count"] = r.ExecutionCount, ["data"] = Ipynb.DataJson(r.Data, splitLines: false), ["metadata"] = r.Metadata.DeepClone(),
        }),
        ErrorOutput e => ("error", new JsonObject
        {
            ["ename"] = e.EName, ["evalue"] = e.EValue, ["traceback"] = new JsonArray(e.Traceback.Select(l => (JsonNode?)l).ToArray()),
        }),
        _ => throw new ArgumentException($"unknown output type {output.GetType().Name}", nameof(output)),
    };

    /// <summary>A protocol cursor (Unicode code points, protocol 5.2+) as a UTF-16 offset into <paramref name="code"/>.</summary>
    public static int ToUtf16(string code, int codePoints)
    {
        var i = 0;
        for (var n = 0; n < codePoints && i < code.Length; n++)
            i += char.IsHighSurrogate(code[i]) && i + 1 < code.Length ? 2 : 1;
        return i;
    }

    /// <summary>A UTF-16 offset as a protocol cursor in Unicode code points.</summary>
    public static int ToCodePoints(string code, int utf16)
    {
        var n = 0;
        for (var i = 0; i < utf16 && i < code.Length; i++, n++)
            if (char.IsHighSurrogate(code[i]) && i + 1 < code.Length) i++;
        return n;
    }
}
