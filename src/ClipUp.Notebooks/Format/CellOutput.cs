using System.Text.Json.Nodes;

namespace ClipUp.Notebooks;

/// <summary>One output of a code cell, as nbformat 4 and the Jupyter messaging protocol define it.</summary>
public abstract record CellOutput;

/// <summary>Text written to a stream; <paramref name="Name"/> is <c>stdout</c> or <c>stderr</c>.</summary>
public sealed record StreamOutput(string Name, string Text) : CellOutput;

/// <summary>
/// A value shown with <c>display(x)</c>. <paramref name="Data"/> maps a MIME type to its content: text for
/// <c>text/*</c>, base64 for images, and JSON text for JSON MIME types (<see cref="Mime.IsJson"/>).
/// </summary>
public sealed record DisplayDataOutput(IReadOnlyDictionary<string, string> Data, JsonObject Metadata) : CellOutput;

/// <summary>The value of a cell's last expression, tagged with the cell's execution count.</summary>
public sealed record ExecuteResultOutput(int? ExecutionCount, IReadOnlyDictionary<string, string> Data, JsonObject Metadata) : CellOutput;

/// <summary>An exception or compilation error: type name, message and the lines a front end shows.</summary>
public sealed record ErrorOutput(string EName, string EValue, IReadOnlyList<string> Traceback) : CellOutput;
