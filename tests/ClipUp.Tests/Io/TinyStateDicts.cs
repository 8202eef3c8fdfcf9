using ClipUp.Io;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Io;

/// <summary>Small architectures and random state dicts for the Io tests.</summary>
internal static class TinyStateDicts
{
    /// <summary>Width 32, 2 blocks per tower, 2 heads of 16, 16 px images in 8 px patches (grid 2, so 5 positions), context 8.</summary>
    public static ClipArchitecture Dense => new(16,
        new VisionArchitecture(ImageSize: 16, PatchSize: 8, Width: 32, Layers: 2, Heads: 2, MlpHidden: 128),
        new TextArchitecture(ContextLength: 8, VocabSize: 100, Width: 32, Layers: 2, Heads: 2, MlpHidden: 128),
        ClipActivation.QuickGelu);

    /// <summary><see cref="Dense"/> with block 1 of each tower an MoE block of 4 experts, top-2.</summary>
    public static ClipArchitecture Moe => Dense with { Moe = new MoeLayout(4, 2, [1], [1]) };

    /// <summary>OpenAI ViT-B/16: 12 × 768 vision blocks, 12 × 512 text blocks, embed 512.</summary>
    public static ClipArchitecture B16 => new(512,
        new VisionArchitecture(224, 16, 768, 12, 12, 3072),
        new TextArchitecture(77, 49408, 512, 12, 8, 2048),
        ClipActivation.QuickGelu);

    /// <summary>A state dict in ClipUp (OpenAI) keys with seeded normal values, or shape-only meta tensors.</summary>
    public static Dictionary<string, Tensor> Random(ClipArchitecture arch, int seed, bool meta = false)
    {
        var g = new Generator((ulong)seed);
        return ClipShapes.OpenAi(arch).ToDictionary(
            e => e.Key,
            e => meta ? torch.empty(e.Shape, device: torch.META) : torch.randn(e.Shape, generator: g));
    }
}
