namespace ClipUp.Tests;

/// <summary>Paths of the repository and of the shared data folder next to it.</summary>
public static class TestData
{
    /// <summary>The folder that holds ClipUp.sln, found by walking up from the test binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared data folder, RepoRoot/../shared/data (it may be absent; tests that need it skip).</summary>
    public static string SharedData { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ClipUp.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no ClipUp.sln above {AppContext.BaseDirectory}");
    }
}
