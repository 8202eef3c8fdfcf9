using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>Which tower a block belongs to. <c>Shared</c> is the one-tower (LIMoE-style) backbone.</summary>
public enum Tower { Image, Text, Shared }

/// <summary>Where an MLP sits: tower, block index and shape. An <see cref="MlpFactory"/> decides dense or MoE per site.</summary>
public sealed record MlpSite(Tower Tower, int Layer, int Layers, int Width, int Hidden, Activation Activation);

/// <summary>Builds the MLP for one block. The default builds a dense <see cref="Mlp"/>; MoE models pass their own.</summary>
public delegate nn.Module<Tensor, Tensor> MlpFactory(MlpSite site);

public static class MlpFactories
{
    public static MlpFactory Dense { get; } = site => new Mlp(site.Width, site.Hidden, site.Activation);
}
