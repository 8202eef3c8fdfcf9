using System.Text.RegularExpressions;

namespace ClipUp.Notebooks;

/// <summary>
/// Handles the notebook directives Roslyn scripting does not know: <c>#r "nuget: Name, Version"</c> (kept working for
/// the packages ClipUp already references, refused with a clear message for others, because the kernel cannot
/// restore packages), Polyglot's <c>#!csharp</c> cell magic, <c>#i "nuget: source"</c> lines and
/// <c>#load "clipup.csx"</c>, the notebooks' bootstrap for other kernels (notebooks/clipup.csx), whose work this kernel
/// does itself. Handled lines become empty lines, so compiler line numbers still match the cell.
/// </summary>
public static partial class CellDirectives
{
    /// <summary>The code to compile, or the error that stops the cell before compiling.</summary>
    public sealed record Result(string Code, string? Error);

    public static Result Apply(string cell)
    {
        var lines = cell.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r').Trim();
            if (NuGetReference().Match(line) is { Success: true } m)
            {
                var name = m.Groups["name"].Value.Trim();
                if (!ScriptEnvironment.ReferencedPackages.Contains(name, StringComparer.OrdinalIgnoreCase))
                    return new Result(cell, $"line {i + 1}: package {name} is not available in the ClipUp kernel; ClipUp references: " +
                        string.Join(", ", ScriptEnvironment.ReferencedPackages) + ". Use those, or add the package to src/ClipUp and rebuild.");
                lines[i] = "";
            }
            else if (Bootstrap().IsMatch(line))
                lines[i] = "";
            else if (line == "#!csharp" || line == "#!c#" || line.StartsWith("#i ", StringComparison.Ordinal))
                lines[i] = "";
            else if (line.StartsWith("#!", StringComparison.Ordinal) && !(i == 0 && line.StartsWith("#!/", StringComparison.Ordinal)))
                return new Result(cell, $"line {i + 1}: the magic command {line.Split(' ')[0]} is not supported by the ClipUp kernel, which runs C# only (#!csharp is accepted)");
        }
        return new Result(string.Join("\n", lines), null);
    }

    /// <summary>The bootstrap line: <c>#load "clipup.csx"</c>, with or without a folder in front.</summary>
    [GeneratedRegex("""^#load\s+"([^"]*[/\\])?clipup\.csx"\s*$""")]
    private static partial Regex Bootstrap();

    [GeneratedRegex("""^#r\s+"nuget:\s*(?<name>[^,"]+)(,\s*(?<version>[^"]*))?"\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex NuGetReference();
}
