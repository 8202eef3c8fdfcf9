namespace ClipUp.Tests;

/// <summary>Locates the repository and the shared data folder from the test binaries.</summary>
public static class TestData
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string SharedData { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ClipUp.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no ClipUp.sln above {AppContext.BaseDirectory}");
    }
}
