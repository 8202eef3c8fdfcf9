using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Runtime;

/// <summary>One finding of <see cref="Doctor"/>: what was checked, what was found, and the fix when it is a problem.</summary>
public sealed record DoctorCheck(string Name, string Value, bool Ok, string? Fix = null);

/// <summary>
/// The environment report of <c>clipup doctor</c> (and of the notebook engine, so a notebook and the console agree on
/// the device): OS and libstdc++, .NET and TorchSharp, which native libtorch was loaded from where, CUDA, GPU, bf16.
/// </summary>
public static class Doctor
{
    public static IReadOnlyList<DoctorCheck> Run()
    {
        var checks = new List<DoctorCheck>
        {
            new("os", RuntimeInformation.OSDescription, true),
            new(".NET", RuntimeInformation.FrameworkDescription, true),
            new("ClipUp", Info.Version, true),
            new("TorchSharp", typeof(torch).Assembly.GetName().Version?.ToString() ?? "?", true),
        };
        var stdcxx = LibStdCxx();
        checks.Add(stdcxx);
        string? torchError = null;
        try { torch.InitializeDeviceType(DeviceType.CPU); }
        catch (Exception e) { torchError = e.Message; }
        checks.Add(torchError is null
            ? new DoctorCheck("libtorch", LoadedLibtorch() ?? "loaded (path not visible)", true)
            : new DoctorCheck("libtorch", "failed to load: " + torchError, false,
                "Build with `dotnet build` on this machine (it patches TorchSharp for old libstdc++), or set LD_LIBRARY_PATH to a PyTorch's torch/lib (environment.md)."));
        bool cuda = torchError is null && Devices.CudaAvailable();
        var cudaLib = LoadedLibrary("libtorch_cuda.so");
        checks.Add(new DoctorCheck("cuda", cuda ? $"available, {torch.cuda.device_count()} device(s)" : "not available", true,
            cuda ? null : cudaLib is null
                ? "CPU libtorch loaded. For a GPU, run the bundle against an existing PyTorch's CUDA libtorch: eng/gpu-bundle.sh, then run-clipup.sh (environment.md)."
                : "CUDA libtorch loaded but no GPU visible: check nvidia-smi and CUDA_VISIBLE_DEVICES."));
        if (cuda)
        {
            checks.Add(new DoctorCheck("gpu", GpuName() ?? "unknown name", true));
            checks.Add(new DoctorCheck("bf16", Bf16Works() ? "supported" : "not supported", true));
        }
        checks.Add(new DoctorCheck("threads", $"{torch.get_num_threads()} intra-op threads, {Environment.ProcessorCount} cores", true));
        return checks;
    }

    public static JsonObject ToJson(IReadOnlyList<DoctorCheck> checks)
    {
        var o = new JsonObject();
        foreach (var c in checks)
            o[c.Name] = new JsonObject { ["value"] = c.Value, ["ok"] = c.Ok, ["fix"] = c.Fix };
        return o;
    }

    private static DoctorCheck LibStdCxx()
    {
        const string need = "GLIBCXX_3.4.32";
        foreach (var p in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" })
        {
            if (!File.Exists(p)) continue;
            bool has = System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(p)).Contains(need, StringComparison.Ordinal);
            return new DoctorCheck("libstdc++", $"{p} ({(has ? "has" : "lacks")} {need})", true,
                has ? null : "TorchSharp needs it; ClipUp's build patches libLibTorchSharp.so (eng/LibStdCxxFix.targets), so nothing to do unless libtorch failed to load.");
        }
        return new DoctorCheck("libstdc++", "not found in the usual places", true);
    }

    private static string? LoadedLibtorch() => LoadedLibrary("libtorch_cpu.so") is { } cpu ? Path.GetDirectoryName(cpu) : null;

    /// <summary>The path of a loaded shared library, read from /proc/self/maps (Linux).</summary>
    public static string? LoadedLibrary(string fileName)
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return null;
        return File.ReadLines(maps).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
            .FirstOrDefault(p => p != null && p.EndsWith("/" + fileName, StringComparison.Ordinal));
    }

    private static string? GpuName()
    {
        // TorchSharp exposes no device-name call; the NVIDIA driver publishes it under /proc.
        const string root = "/proc/driver/nvidia/gpus";
        if (!Directory.Exists(root)) return null;
        foreach (var dir in Directory.GetDirectories(root))
        {
            var info = Path.Combine(dir, "information");
            if (!File.Exists(info)) continue;
            var model = File.ReadLines(info).FirstOrDefault(l => l.StartsWith("Model:", StringComparison.Ordinal));
            if (model != null) return model["Model:".Length..].Trim();
        }
        return null;
    }

    private static bool Bf16Works()
    {
        try
        {
            using var a = torch.ones(8, 8, ScalarType.BFloat16, device: torch.CUDA);
            using var b = torch.matmul(a, a);
            // item<float> on a bf16 tensor throws, which once made every GPU read "not supported": compare in fp32.
            return b.sum().to(ScalarType.Float32).item<float>() == 512f;
        }
        catch (Exception) { return false; }
    }
}
