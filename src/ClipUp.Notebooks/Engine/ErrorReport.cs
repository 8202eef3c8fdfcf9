using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace ClipUp.Notebooks;

/// <summary>
/// Failures of a cell as Jupyter error outputs whose first line names the cell and the line within it:
/// "cell 3 (line 2): InvalidOperationException: ...". Line numbers count from the cell's first line. Stack frames are
/// listed by method name only, so outputs carry no file-system paths.
/// </summary>
internal static class ErrorReport
{
    /// <summary>The script file name of a cell; exception stack frames in the cell's code carry it.</summary>
    public static string FileName(string label) => label + ".csx";

    public static ErrorOutput Directive(string label, string message) =>
        new("NotebookDirectiveError", message, [$"{label} ({message.Split(':')[0]}): {message[(message.IndexOf(':') + 1)..].Trim()}"]);

    public static ErrorOutput Interrupted(string label) =>
        new("OperationCanceledException", "the cell was interrupted", [$"{label}: OperationCanceledException: the cell was interrupted"]);

    public static ErrorOutput Compilation(string label, ImmutableArray<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .OrderBy(d => d.Location.SourceSpan.Start)
            .Select(d => $"{label} ({Where(d)}): error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")
            .ToList();
        if (errors.Count == 0) errors.Add($"{label}: compilation failed");
        return new ErrorOutput("CompilationError", errors[0], errors);
    }

    public static ErrorOutput Exception(string label, Exception exception)
    {
        var e = Unwrap(exception);
        var file = FileName(label);
        var frames = new StackTrace(e, fNeedFileInfo: true).GetFrames();
        var line = frames.FirstOrDefault(f => CellOf(f) == file)?.GetFileLineNumber();
        var where = line is > 0 ? $"{label} (line {line})" : label;
        var traceback = new List<string> { $"{where}: {e.GetType().Name}: {e.Message}" };
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            traceback.Add($" ---> {inner.GetType().Name}: {inner.Message}");
        foreach (var f in frames)
        {
            if (f.GetMethod() is not { DeclaringType: { } type } method || IsInfrastructure(type)) continue;
            if (CellOf(f) is { } cellFile)
            {
                // Script code: the cell and the line within it (functions may come from earlier cells).
                var name = type.Name.Contains("<Initialize>", StringComparison.Ordinal) ? "" : $" in {method.Name}";
                traceback.Add($"   at {Path.GetFileNameWithoutExtension(cellFile)}, line {f.GetFileLineNumber()}{name}");
                if (name == "") break;
            }
            else traceback.Add($"   at {type.FullName}.{method.Name}");
        }
        return new ErrorOutput(e.GetType().Name, e.Message, traceback);
    }

    /// <summary>The cell file of a stack frame in script code (Roslyn roots it in the base folder), else null.</summary>
    private static string? CellOf(StackFrame f) =>
        f.GetFileName() is { } path && path.EndsWith(".csx", StringComparison.Ordinal) ? Path.GetFileName(path) : null;

    private static string Where(Diagnostic d)
    {
        if (!d.Location.IsInSource) return "no line";
        var pos = d.Location.GetLineSpan().StartLinePosition;
        return $"line {pos.Line + 1}, column {pos.Character + 1}";
    }

    private static Exception Unwrap(Exception e) => e switch
    {
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        AggregateException { InnerExceptions.Count: 1 } agg => Unwrap(agg.InnerExceptions[0]),
        _ => e,
    };

    private static bool IsInfrastructure(Type type) => type.Namespace is { } ns
        && (ns.StartsWith("System.Runtime.", StringComparison.Ordinal) || ns.StartsWith("System.Threading", StringComparison.Ordinal)
            || ns.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
}
