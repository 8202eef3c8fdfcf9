using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>
/// Compute precision of a run, decided once (STYLE R13). TorchSharp has no autocast, so bf16 is explicit: the model's
/// parameters and activations are bf16, LayerNorms normalise in fp32 (<see cref="Model.LayerNormFp32"/>), the loss,
/// router softmax and aux losses are fp32, and the optimizer updates fp32 master copies (<see cref="MasterWeights"/>).
/// </summary>
public enum Precision { Fp32, Bf16 }

public static class PrecisionExtensions
{
    public static ScalarType ComputeDtype(this Precision p) => p == Precision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;

    public static Precision Parse(string text) => text.ToLowerInvariant() switch
    {
        "fp32" or "float32" => Precision.Fp32,
        "bf16" or "bfloat16" => Precision.Bf16,
        _ => throw new ArgumentException($"unknown precision '{text}': use fp32 or bf16"),
    };
}
