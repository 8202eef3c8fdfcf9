namespace ClipUp.Tests;

/// <summary>Locates the repository and the shared data folder from the test binaries.</summary>
public static class TestData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// The shared data sets (flickr8k/, fashion/, cifar10/): <c>$CLIPUP_DATA</c> when set, else <c>../shared/data</c>
    /// beside the clone. A fresh clone has no such folder; tests that read it skip there (<see cref="RequireShared"/>).
    /// </summary>
    public static string SharedData { get; } = Environment.GetEnvironmentVariable("CLIPUP_DATA") is { Length: > 0 } env
        ? Path.GetFullPath(env)
        : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    /// <summary>
    /// The path of <paramref name="relative"/> under <see cref="SharedData"/>. Where it is absent the test is skipped with
    /// a message naming the folder, unless <c>CLIPUP_REQUIRE_DATA=1</c> (CI, which has the data): then it fails, so a CI
    /// machine that lost its data cannot turn the data tests into silent skips.
    /// </summary>
    public static string RequireShared(string relative)
    {
        string path = Path.Combine(SharedData, relative);
        if (File.Exists(path) || Directory.Exists(path)) return path;
        string message = $"needs the shared data folder {SharedData} ({relative} is absent): " +
                         "clone beside ../shared/data or set CLIPUP_DATA";
        if (RequiredByEnvironment) Assert.Fail($"{message}; CLIPUP_REQUIRE_DATA=1 makes it required");
        Assert.Skip(message);
        return path;
    }

    /// <summary>True when <c>CLIPUP_REQUIRE_DATA=1</c>: missing shared data fails instead of skipping.</summary>
    public static bool RequiredByEnvironment => Environment.GetEnvironmentVariable("CLIPUP_REQUIRE_DATA") == "1";

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ClipUp.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no ClipUp.sln above {AppContext.BaseDirectory}");
    }
}
