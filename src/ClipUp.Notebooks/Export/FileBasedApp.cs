using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ClipUp.Notebooks.Export;

/// <summary>
/// A notebook as a .NET 10 file-based app (<c>dotnet run 04-headline.cs</c>), Microsoft's suggested way off C#
/// notebooks: the code cells in order, as top-level statements, against ClipUp.Notebooks through <c>#:project</c>.
/// <c>display(x)</c> and a cell's final value go to <see cref="AppOutput"/>, which writes charts to HTML files and
/// images to PNG files beside the app and prints everything else. Using directives move to the top of the file; the
/// bootstrap line and <c>#r "nuget:"</c> lines are dropped (<see cref="CellDirectives"/>). Cells must not redeclare a
/// variable of an earlier cell (fine in a notebook, an error in one file).
/// </summary>
public static class FileBasedApp
{
    /// <summary>The app's source for <paramref name="notebookPath"/>, to be written to <paramref name="outputPath"/>.</summary>
    /// <param name="projectPath">ClipUp.Notebooks.csproj, referenced relative to the output file.</param>
    public static string Export(Notebook notebook, string notebookPath, string outputPath, string projectPath)
    {
        var outDir = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
        var notebookDir = Path.GetDirectoryName(Path.GetFullPath(notebookPath))!;
        var name = Path.GetFileNameWithoutExtension(notebookPath);
        var usings = new List<string>();
        var body = new StringBuilder();
        foreach (var (number, cell) in notebook.CodeCells())
        {
            var prepared = CellDirectives.Apply(cell.Source);
            if (prepared.Error is not null) throw new InvalidDataException($"{name} cell {number}: {prepared.Error}");
            var (cellUsings, code) = Split(prepared.Code);
            usings.AddRange(cellUsings);
            if (string.IsNullOrWhiteSpace(code)) continue;
            body.Append("// cell ").Append(number).Append('\n').Append(code.TrimEnd()).Append("\n\n");
        }
        var sb = new StringBuilder();
        sb.Append("#!/usr/bin/env dotnet\n");
        sb.Append($"// {name}: exported from {Path.GetRelativePath(outDir, notebookPath).Replace('\\', '/')} by `clipup notebooks export {name} --to cs`.\n");
        sb.Append($"// Run: dotnet run {Path.GetFileName(outputPath)}   (charts are written to {name}.figN.html beside this file)\n");
        sb.Append($"#:project {Path.GetRelativePath(outDir, projectPath).Replace('\\', '/')}\n");
        sb.Append("#:property Nullable=disable\n#:property TreatWarningsAsErrors=false\n#:property PublishAot=false\n\n");
        foreach (var u in NotebookImports.Namespaces.Select(n => $"using {n};").Concat(["using static TorchSharp.torch;", "using ClipUp.Notebooks.Export;"]).Concat(usings).Distinct())
            sb.Append(u).Append('\n');
        sb.Append('\n');
        sb.Append($"var NotebookDir = AppOutput.Resolve(\"{Path.GetRelativePath(outDir, notebookDir).Replace('\\', '/')}\");\n");
        sb.Append("var Profile = ClipUp.Notebooks.NotebookProfile.Choose(NotebookDir).Name;\n");
        sb.Append($"var notebookOutput = new AppOutput(AppOutput.Resolve(\".\"), \"{name}\");\n");
        sb.Append("void display(object value) => notebookOutput.Display(value);\n\n");
        sb.Append(body);
        sb.Append("notebookOutput.Finish();\n");
        return sb.ToString();
    }

    /// <summary>
    /// Writes the app for notebook <paramref name="name"/> (a path, or a name under <c>notebooks/</c> of the current
    /// folder, with or without <c>.ipynb</c>) to <paramref name="outputPath"/> (default: beside the notebook, <c>.cs</c>),
    /// finding ClipUp.Notebooks.csproj in the notebook's repository. Returns the written path.
    /// </summary>
    public static string Write(string name, string? outputPath = null)
    {
        var path = new[] { name, name + ".ipynb", Path.Combine("notebooks", name), Path.Combine("notebooks", name + ".ipynb") }
            .FirstOrDefault(p => p.EndsWith(".ipynb", StringComparison.Ordinal) && File.Exists(p))
            ?? throw new FileNotFoundException($"notebook {name} not found (tried {name}, notebooks/{name}.ipynb)", name);
        path = Path.GetFullPath(path);
        var project = default(string);
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(path)!); dir is not null && project is null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "src", "ClipUp.Notebooks", "ClipUp.Notebooks.csproj")))
                project = Path.Combine(dir.FullName, "src", "ClipUp.Notebooks", "ClipUp.Notebooks.csproj");
        if (project is null) throw new FileNotFoundException($"no src/ClipUp.Notebooks/ClipUp.Notebooks.csproj above {path}: export from a ClipUp checkout");
        outputPath = Path.GetFullPath(outputPath ?? Path.ChangeExtension(path, ".cs"));
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
        File.WriteAllText(outputPath, Export(Ipynb.Read(path), path, outputPath, project));
        return outputPath;
    }

    /// <summary>A cell's leading using directives, and the rest with a final bare expression turned into <c>display(...);</c>.</summary>
    private static (List<string> Usings, string Code) Split(string code)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, CSharpParseOptions.Default.WithKind(SourceCodeKind.Script)).GetRoot();
        var usings = root.Usings.Select(u => u.ToString().Trim()).ToList();
        var start = root.Usings.Count > 0 ? root.Usings.Last().FullSpan.End : 0;
        var rest = code[start..];
        // A script's last statement may be an expression without ';': the cell's displayed value.
        if (root.Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } last })
        {
            var (s, e) = (last.Expression.SpanStart - start, last.Expression.Span.End - start);
            rest = rest[..s] + "display(" + rest[s..e] + ");" + rest[e..];
        }
        return (usings, rest.Trim('\n'));
    }
}
