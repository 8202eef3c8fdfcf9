using System.Diagnostics;
using ClipUp.Runtime;

namespace ClipUp.Experiments;

/// <summary>What produced a result: the git commit and the device, written into every result file.</summary>
public static class Provenance
{
    /// <summary><c>$CLIPUP_COMMIT</c> (set by the GPU scripts, whose bundle has no .git), else <c>git rev-parse HEAD</c>, else "unknown".</summary>
    public static string Commit()
    {
        if (Environment.GetEnvironmentVariable("CLIPUP_COMMIT") is { Length: > 0 } c) return c;
        try
        {
            var psi = new ProcessStartInfo("git", "rev-parse HEAD") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var sha = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 && sha.Length >= 7 ? sha : "unknown";
        }
        catch (Exception) { return "unknown"; }
    }

    /// <summary>The machine a result was measured on: CPU model, cores, OS ("AMD EPYC 7B13 × 2 cores, Debian GNU/Linux 12").</summary>
    public static string Machine()
    {
        string cpu = "unknown CPU";
        try
        {
            if (File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line)
                cpu = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return $"{cpu} × {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }

    public static string DeviceName(string deviceSpec)
    {
        var checks = Doctor.Run();
        var gpu = checks.FirstOrDefault(c => c.Name == "gpu")?.Value;
        return Devices.Resolve(deviceSpec).type == TorchSharp.DeviceType.CUDA && gpu != null
            ? gpu : $"cpu ({Environment.ProcessorCount} cores)";
    }
}
