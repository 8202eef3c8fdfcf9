using System.Diagnostics;

namespace ClipUp.Tests.Cli;

/// <summary>
/// The GPU bundle's launcher (eng/run-clipup.sh) finds libtorch before .NET starts, so a wrong path must fail there,
/// in words that name the folder and the fix, not later as a TorchSharp load error.
/// </summary>
public sealed class LauncherTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-launcher-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Code, string Err) Launch(string libtorch)
    {
        var psi = new ProcessStartInfo("bash", [Path.Combine(TestData.RepoRoot, "eng", "run-clipup.sh"), "doctor"])
        { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.Environment["CLIPUP_LIBTORCH"] = libtorch;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err);
    }

    [Fact]
    public void AMissingLibtorchFolderIsNamedWithTheVariableToSet()
    {
        var missing = Path.Combine(dir, "no-such-torch", "lib");
        var (code, err) = Launch(missing);
        Assert.Equal(2, code);
        Assert.Contains(missing, err);
        Assert.Contains("no libtorch_cpu.so", err);
        Assert.Contains("CLIPUP_LIBTORCH", err);
    }

    [Fact]
    public void ALibtorchOlderThanTorchSharpNeedsIsRefusedWithItsVersion()
    {
        var lib = Directory.CreateDirectory(Path.Combine(dir, "torch", "lib")).FullName;
        File.WriteAllBytes(Path.Combine(lib, "libtorch_cpu.so"), []);
        File.WriteAllText(Path.Combine(dir, "torch", "version.py"), "__version__ = '1.13.0'\n");
        var (code, err) = Launch(lib);
        Assert.Equal(2, code);
        Assert.Contains("libtorch 1.13.0", err);
        Assert.Contains("PyTorch >= 2.10", err);
    }
}
