using System.Text.Json.Nodes;

namespace ClipUp.Notebooks.Tests.Format;

public class IpynbTests
{
    [Fact]
    public void ANotebookIsWrittenLikeJupyterWithSortedKeysOneSpaceIndentSourceLinesAndATrailingNewline()
    {
        var nb = new Notebook(
            [
                NotebookCell.Markdown("# Title\nText") with { Id = "a1" },
                NotebookCell.Code("var x = 1;\nx") with { Id = "b2", ExecutionCount = 1, Outputs = [new StreamOutput("stdout", "hi\n")] },
            ],
            new JsonObject { ["zeta"] = 1, ["alpha"] = new JsonObject() });

        // Exactly what json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n" gives for this notebook.
        const string expected = """
            {
             "cells": [
              {
               "cell_type": "markdown",
               "id": "a1",
               "metadata": {},
               "source": [
                "# Title\n",
                "Text"
               ]
              },
              {
               "cell_type": "code",
               "execution_count": 1,
               "id": "b2",
               "metadata": {},
               "outputs": [
                {
                 "name": "stdout",
                 "output_type": "stream",
                 "text": [
                  "hi\n"
                 ]
                }
               ],
               "source": [
                "var x = 1;\n",
                "x"
               ]
              }
             ],
             "metadata": {
              "alpha": {},
              "zeta": 1
             },
             "nbformat": 4,
             "nbformat_minor": 5
            }

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), Ipynb.Serialize(nb));
    }

    [Fact]
    public void OutputsOfEveryMimeKindRoundTripExactly()
    {
        var png = Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        CellOutput[] outputs =
        [
            new StreamOutput("stdout", "line 1\nline 2\n"),
            new StreamOutput("stderr", "warning: ünïcödé ✓ and \"quotes\" \\ tab\t\n"),
            new ExecuteResultOutput(3, Mime.PlainText("2"), []),
            new DisplayDataOutput(new Dictionary<string, string> { [Mime.Html] = "<table><tr><td>1</td></tr>\n</table>", [Mime.Plain] = "   a\n0  1" }, []),
            new DisplayDataOutput(new Dictionary<string, string> { [Mime.Png] = png, [Mime.Plain] = "Image 8x8" }, new JsonObject { ["image/png"] = new JsonObject { ["width"] = 8 } }),
            new DisplayDataOutput(new Dictionary<string, string> { [Mime.Html] = "<script type=\"text/javascript\">\nvar a = '</div>';\n</script>\n<div id=\"p\"></div>", [Mime.Plain] = "Plotly chart" }, []),
            new DisplayDataOutput(new Dictionary<string, string> { [Mime.Json] = """{"a":[1,2],"b":"c"}""" }, []),
            new ErrorOutput("InvalidOperationException", "boom", ["cell 3 (line 2): InvalidOperationException: boom", "   at cell 3, line 2"]),
        ];
        var nb = Notebook.Create(NotebookCell.Code("1 + 1") with { Outputs = outputs, ExecutionCount = 3 });

        var text = Ipynb.Serialize(nb);
        var back = Ipynb.Parse(text);

        Assert.Equal(text, Ipynb.Serialize(back));
        var cell = Assert.Single(back.Cells);
        Assert.Equal(3, cell.ExecutionCount);
        Assert.Equal(outputs.Length, cell.Outputs.Count);
        for (var i = 0; i < outputs.Length; i++)
            Assert.Equal(Describe(outputs[i]), Describe(cell.Outputs[i]));
    }

    [Fact]
    public void SourceAndOutputTextMayBeAStringOrAListOfLines()
    {
        const string json = """
            {"cells": [
              {"cell_type": "code", "execution_count": null, "metadata": {}, "source": "a\nb",
               "outputs": [{"output_type": "stream", "name": "stdout", "text": "x\ny"},
                           {"output_type": "display_data", "metadata": {}, "data": {"text/plain": ["p\n", "q"]}}]},
              {"cell_type": "markdown", "metadata": {}, "source": ["a\n", "b"]}],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
            """;
        var nb = Ipynb.Parse(json);
        Assert.Equal("a\nb", nb.Cells[0].Source);
        Assert.Equal("a\nb", nb.Cells[1].Source);
        Assert.Equal("x\ny", Assert.IsType<StreamOutput>(nb.Cells[0].Outputs[0]).Text);
        Assert.Equal("p\nq", Assert.IsType<DisplayDataOutput>(nb.Cells[0].Outputs[1]).Data[Mime.Plain]);
        // nbformat 4.4 has no cell ids, and none are invented on writing.
        Assert.DoesNotContain("\"id\"", Ipynb.Serialize(nb));
    }

    [Fact]
    public void MetadataThatClipUpDoesNotKnowSurvivesARoundTrip()
    {
        const string json = """
            {"cells": [{"cell_type": "code", "execution_count": 2, "id": "x", "outputs": [], "source": [],
                        "metadata": {"vscode": {"languageId": "polyglot-notebook"}, "tags": ["slow"]}}],
             "metadata": {"jupytext": {"formats": "ipynb,py:percent"}, "ratio": 1.50},
             "nbformat": 4, "nbformat_minor": 5}
            """;
        var written = Ipynb.Serialize(NotebookMetadata.ForClipUp(Ipynb.Parse(json)));
        var root = JsonNode.Parse(written)!;
        Assert.Equal("ipynb,py:percent", root["metadata"]!["jupytext"]!["formats"]!.GetValue<string>());
        Assert.Contains("\"ratio\": 1.50", written); // numbers keep the text they were read with
        var cellMeta = root["cells"]![0]!["metadata"]!;
        Assert.Equal("polyglot-notebook", cellMeta["vscode"]!["languageId"]!.GetValue<string>());
        Assert.Equal("slow", cellMeta["tags"]![0]!.GetValue<string>());
        Assert.Equal("\"source\": []", written.Split('\n').Single(l => l.Contains("\"source\"")).Trim());
    }

    [Fact]
    public void ClipUpMetadataNamesTheKernelAndTagsEveryCodeCellForPolyglotNotebooks()
    {
        var nb = Notebook.Create(NotebookCell.Markdown("# t"), NotebookCell.Code("1"));
        var root = JsonNode.Parse(Ipynb.Serialize(nb))!;

        var kernelspec = root["metadata"]!["kernelspec"]!;
        Assert.Equal("clipup-csharp", kernelspec["name"]!.GetValue<string>());
        Assert.Equal("C# (ClipUp)", kernelspec["display_name"]!.GetValue<string>());
        Assert.Equal("C#", kernelspec["language"]!.GetValue<string>());
        Assert.Equal("csharp", root["metadata"]!["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]!.GetValue<string>());
        var code = root["cells"]![1]!["metadata"]!;
        Assert.Equal("csharp", code["dotnet_interactive"]!["language"]!.GetValue<string>());
        Assert.Equal("csharp", code["polyglot_notebook"]!["kernelName"]!.GetValue<string>());
        Assert.Empty(root["cells"]![0]!["metadata"]!.AsObject());
    }

    [Fact]
    public void ANotebookInAnOlderFormatIsRefusedWithTheVersionInTheMessage()
    {
        var e = Assert.Throws<InvalidDataException>(() => Ipynb.Parse("""{"nbformat": 3, "worksheets": []}"""));
        Assert.Contains("nbformat 3", e.Message);
    }

    private static string Describe(CellOutput o) => o switch
    {
        StreamOutput s => $"stream {s.Name} {s.Text}",
        ExecuteResultOutput r => $"result {r.ExecutionCount} {Bundle(r.Data)} {r.Metadata.ToJsonString()}",
        DisplayDataOutput d => $"display {Bundle(d.Data)} {d.Metadata.ToJsonString()}",
        ErrorOutput e => $"error {e.EName} {e.EValue} {string.Join("|", e.Traceback)}",
        _ => o.ToString(),
    };

    // JSON MIME data is compared as JSON, since it is stored as a JSON value, not as text.
    private static string Bundle(IReadOnlyDictionary<string, string> data) =>
        string.Join(";", data.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={(Mime.IsJson(p.Key) ? JsonNode.Parse(p.Value)!.ToJsonString() : p.Value)}"));
}
