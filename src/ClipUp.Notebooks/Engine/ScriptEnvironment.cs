using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace ClipUp.Notebooks;

/// <summary>
/// What a notebook cell compiles against: the .NET runtime's assemblies, ClipUp and the packages it already references
/// (TorchSharp, Plotly.NET, Microsoft.Data.Analysis, SkiaSharp, with their dependencies), and the default imports.
/// References are taken from the files the running process loaded from (trusted platform assemblies), so the same
/// code works from a build folder, a test output folder and a published folder; single-file publishing is not
/// supported because it leaves no files to reference.
/// </summary>
public sealed class ScriptEnvironment
{
    /// <summary>Packages a notebook may name in <c>#r "nuget: ..."</c>: already referenced, so the line is a no-op.</summary>
    public static readonly IReadOnlyList<string> ReferencedPackages =
        ["ClipUp", "TorchSharp", "TorchSharp-cpu", "Plotly.NET", "Plotly.NET.CSharp", "Plotly.NET.Interactive", "Microsoft.Data.Analysis", "SkiaSharp"];

    private static readonly Lazy<ScriptEnvironment> shared = new(() => new ScriptEnvironment());

    /// <summary>One environment per process: building the reference list reads metadata of ~200 assemblies.</summary>
    public static ScriptEnvironment Shared => shared.Value;

    public IReadOnlyList<MetadataReference> References { get; }

    /// <summary>Namespaces imported into every cell (<see cref="Prelude"/> adds <c>using static TorchSharp.torch</c>).</summary>
    public IReadOnlyList<string> Imports { get; }

    /// <summary>
    /// The first submission: the static import of <c>TorchSharp.torch</c>, which every later cell inherits (script
    /// options can only import namespaces).
    /// </summary>
    public string Prelude { get; } = NotebookImports.StaticUsing;

    private ScriptEnvironment()
    {
        References = LoadReferences();
        Imports = NotebookImports.Namespaces;
    }

    /// <summary>Options for the submission of one cell; <paramref name="filePath"/> names the cell in stack traces.</summary>
    public ScriptOptions Options(string filePath, string baseDirectory) => ScriptOptions.Default
        .WithReferences(References)
        .WithImports(Imports)
        .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(baseDirectory))
        .WithSourceResolver(new SourceFileResolver([], baseDirectory))
        .WithEmitDebugInformation(true)
        .WithFileEncoding(System.Text.Encoding.UTF8)
        .WithFilePath(filePath)
        .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest);

    private static List<MetadataReference> LoadReferences()
    {
        var tpa = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? "";
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        // The whole shared framework (framework-dependent apps) or the whole app folder (self-contained apps).
        foreach (var p in tpa.Where(p => Path.GetDirectoryName(p) == runtimeDir && IsManaged(p)))
            paths.Add(p);
        Assembly[] roots = [
            typeof(ClipUp.Info).Assembly, typeof(TorchSharp.torch).Assembly, typeof(Plotly.NET.GenericChart).Assembly,
            typeof(Plotly.NET.CSharp.Chart).Assembly, typeof(Microsoft.Data.Analysis.DataFrame).Assembly,
            typeof(SkiaSharp.SKBitmap).Assembly,
        ];
        foreach (var a in Closure(roots)) paths.Add(a);
        paths.Add(typeof(ScriptEnvironment).Assembly.Location);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p, documentation: Documentation(p))).ToList();
    }

    /// <summary>Files of the given assemblies and everything they reference, outside the runtime folder.</summary>
    private static IEnumerable<string> Closure(IEnumerable<Assembly> roots)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>(roots);
        while (queue.TryDequeue(out var asm))
        {
            if (string.IsNullOrEmpty(asm.Location) || !seen.Add(asm.Location)) continue;
            yield return asm.Location;
            foreach (var name in asm.GetReferencedAssemblies())
            {
                Assembly? dep = null;
                try { dep = Assembly.Load(name); }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException) { }
                if (dep is not null) queue.Enqueue(dep);
            }
        }
    }

    private static DocumentationProvider? Documentation(string dll)
    {
        var xml = Path.ChangeExtension(dll, ".xml");
        return File.Exists(xml) ? XmlDocumentationProvider.CreateFromFile(xml) : null;
    }

    private static bool IsManaged(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            return pe.HasMetadata;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException) { return false; }
    }
}
