namespace ClipUp.Tests.Data;

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("clipup-data-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // best effort: a leftover temp folder must not fail a test
    }
}
