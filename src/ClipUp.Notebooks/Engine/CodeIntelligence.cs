using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Completion;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Host.Mef;
using Microsoft.CodeAnalysis.Text;

namespace ClipUp.Notebooks;

/// <summary>Completions for the text between <paramref name="Start"/> and <paramref name="End"/> (UTF-16 offsets in the cell).</summary>
public sealed record CompletionResult(IReadOnlyList<string> Matches, int Start, int End);

/// <summary>
/// Code completion and inspection for the kernel, from Roslyn's <see cref="CompletionService"/> on one script document
/// in an <see cref="AdhocWorkspace"/>. The document holds the cells that already ran (their <c>using</c> directives
/// moved to the top) followed by the cell being edited, so variables, functions and types from earlier cells complete
/// too; it compiles against the same references and globals as the cells themselves.
/// </summary>
public sealed partial class CodeIntelligence
{
    private readonly NotebookEngine engine;
    private readonly AdhocWorkspace workspace;
    private readonly DocumentId documentId;

    public CodeIntelligence(NotebookEngine engine)
    {
        this.engine = engine;
        var env = NotebookEngine.Environment;
        workspace = new AdhocWorkspace(MefHostServices.Create(MefHostServices.DefaultAssemblies));
        var project = ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Create(), "notebook", "notebook", LanguageNames.CSharp,
            isSubmission: true,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, usings: env.Imports),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script),
            metadataReferences: env.References,
            hostObjectType: typeof(NotebookGlobals));
        var solution = workspace.CurrentSolution.AddProject(project);
        documentId = DocumentId.CreateNewId(project.Id);
        solution = solution.AddDocument(DocumentInfo.Create(documentId, "cell.csx", sourceCodeKind: SourceCodeKind.Script,
            loader: TextLoader.From(TextAndVersion.Create(SourceText.From(""), VersionStamp.Create()))));
        if (!workspace.TryApplyChanges(solution))
            throw new InvalidOperationException("could not set up the completion workspace");
    }

    /// <summary>Completions at <paramref name="cursor"/> (a UTF-16 offset into <paramref name="code"/>).</summary>
    public async Task<CompletionResult> CompleteAsync(string code, int cursor, CancellationToken ct = default)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var (document, offset) = Document(code);
        var service = CompletionService.GetService(document)
                      ?? throw new InvalidOperationException("Roslyn's C# completion service is not available (Microsoft.CodeAnalysis.CSharp.Features missing?)");
        var list = await service.GetCompletionsAsync(document, offset + cursor, cancellationToken: ct);
        var start = cursor;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_')) start--;
        var prefix = code[start..cursor];
        var matches = list.ItemsList
            // Items with an inline description are types from namespaces the cell has not imported (Roslyn shows the
            // namespace there): noise in a notebook.
            .Where(i => string.IsNullOrEmpty(i.InlineDescription))
            .Select(i => i.DisplayText)
            .Where(t => t.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(t => !t.StartsWith(prefix, StringComparison.Ordinal)).ThenBy(t => t, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new CompletionResult(matches, start, cursor);
    }

    /// <summary>The signature and documentation summary of the symbol at <paramref name="cursor"/>, or null if there is none.</summary>
    public async Task<string?> InspectAsync(string code, int cursor, CancellationToken ct = default)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var (document, offset) = Document(code);
        var model = await document.GetSemanticModelAsync(ct);
        var root = await document.GetSyntaxRootAsync(ct);
        if (model is null || root is null) return null;
        // Jupyter sends the cursor after the name the user is on; look just before it too.
        foreach (var position in new[] { offset + cursor, offset + cursor - 1 })
        {
            if (position < offset) continue;
            var token = root.FindToken(position);
            if (token.Parent is not { } node || !token.IsKind(SyntaxKind.IdentifierToken)) continue;
            var info = model.GetSymbolInfo(node, ct);
            var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault() ?? model.GetDeclaredSymbol(node, ct)
                         ?? (node is ExpressionSyntax e ? model.GetTypeInfo(e, ct).Type : null);
            if (symbol is not null) return Describe(symbol);
        }
        return null;
    }

    private static string Describe(ISymbol symbol)
    {
        var sb = new StringBuilder(symbol.ToDisplayString(Signature));
        var xml = symbol.GetDocumentationCommentXml();
        if (!string.IsNullOrWhiteSpace(xml))
        {
            try
            {
                var summary = XElement.Parse(xml).Element("summary");
                if (summary is not null)
                    sb.Append("\n\n").Append(Whitespace().Replace(string.Concat(summary.Nodes().Select(DocText)), " ").Trim());
            }
            catch (System.Xml.XmlException) { }
        }
        return sb.ToString();
    }

    private static readonly SymbolDisplayFormat Signature = SymbolDisplayFormat.CSharpErrorMessageFormat
        .WithMemberOptions(SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeContainingType
                           | SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeConstantValue)
        .WithParameterOptions(SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName
                              | SymbolDisplayParameterOptions.IncludeDefaultValue | SymbolDisplayParameterOptions.IncludeParamsRefOut)
        .WithLocalOptions(SymbolDisplayLocalOptions.IncludeType);

    private static string DocText(XNode node) => node switch
    {
        XText t => t.Value,
        XElement e when e.Attribute("cref") is { } cref => cref.Value[(cref.Value.IndexOf(':') + 1)..],
        XElement e when e.Attribute("name") is { } name => name.Value,
        XElement e => string.Concat(e.Nodes().Select(DocText)),
        _ => "",
    };

    /// <summary>The script document for <paramref name="code"/> after the cells that ran, and the offset of the cell in it.</summary>
    private (Document Document, int Offset) Document(string code)
    {
        var usings = new StringBuilder(NotebookEngine.Environment.Prelude);
        var body = new StringBuilder();
        foreach (var cell in engine.History)
        {
            foreach (var line in cell.Split('\n'))
            {
                if (UsingDirective().IsMatch(line)) usings.Append(line).Append('\n');
                else body.Append(line).Append('\n');
            }
            // A cell may end in an expression without a semicolon; the empty statement keeps the next cell separate.
            body.Append(";\n");
        }
        var prefix = usings.Append(body).ToString();
        var document = workspace.CurrentSolution.GetDocument(documentId)!.WithText(SourceText.From(prefix + code));
        return (document, prefix.Length);
    }

    [GeneratedRegex(@"^\s*using\s+(static\s+)?[A-Za-z_][\w.]*(\s*=\s*[\w.<>, ]+)?\s*;\s*$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
