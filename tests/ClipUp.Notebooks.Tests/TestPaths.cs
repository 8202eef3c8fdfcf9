using System.Reflection;

namespace ClipUp.Notebooks.Tests;

/// <summary>Paths the build records for the tests: the repository and the built kernel host (clipup-kernel).</summary>
internal static class TestPaths
{
    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string RepoRoot => Metadata("RepoRoot");

    public static string KernelHostDir => Metadata("KernelHostDir");

    /// <summary>The host's apphost if it exists, else its dll (run through dotnet).</summary>
    public static string[] KernelHostCommand()
    {
        var exe = Path.Combine(KernelHostDir, OperatingSystem.IsWindows() ? "clipup-kernel.exe" : "clipup-kernel");
        if (File.Exists(exe)) return [exe];
        var dll = Path.Combine(KernelHostDir, "clipup-kernel.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"the kernel host is not built at {KernelHostDir}: build ClipUp.sln first", dll);
        return ["dotnet", dll];
    }

    /// <summary>A fresh temporary folder, removed when disposed.</summary>
    public static TempDir NewTempDir() => new();

    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("clipup-nb-").FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
