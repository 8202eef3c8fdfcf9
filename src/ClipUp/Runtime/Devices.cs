using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Runtime;

/// <summary>The one place a device string becomes a TorchSharp <see cref="Device"/> (STYLE R13).</summary>
public static class Devices
{
    /// <summary>
    /// <c>auto</c> (CUDA when available, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:i</c>. Asking for CUDA where none
    /// is usable is an error that says how to get it (environment.md), never a silent fall-back to the CPU.
    /// </summary>
    public static Device Resolve(string spec)
    {
        var s = spec.Trim().ToLowerInvariant();
        if (s == "cpu") return torch.CPU;
        bool cuda = CudaAvailable();
        if (s == "auto") return cuda ? torch.CUDA : torch.CPU;
        if (s == "cuda" || s.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda)
                throw new ArgumentException(
                    $"device '{spec}' asked for CUDA, but the loaded libtorch has no usable CUDA. Run `clipup doctor` to see " +
                    "which libtorch was loaded; see environment.md for running on an existing PyTorch's CUDA libtorch (eng/gpu-bundle.sh).");
            if (s == "cuda") return torch.CUDA;
            if (!int.TryParse(s.AsSpan(5), out int index) || index < 0 || index >= torch.cuda.device_count())
                throw new ArgumentException($"device '{spec}': CUDA device index must be in [0, {torch.cuda.device_count()})");
            return torch.device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"unknown device '{spec}': use auto, cpu, cuda or cuda:<index>");
    }

    /// <summary>True when the libtorch TorchSharp loaded was built with CUDA and sees a GPU.</summary>
    public static bool CudaAvailable()
    {
        try { return torch.cuda.is_available(); }
        catch (Exception) { return false; }
    }
}
