using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>The transformer MLP <c>c_fc → activation → c_proj</c> (open_clip key names). An MoE layer replaces it (see Moe/MoeMlp).</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    public readonly Linear c_fc;
    public readonly Linear c_proj;
    public Activation Activation { get; }

    public Mlp(int width, int hidden, Activation activation) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(width, hidden);
        c_proj = nn.Linear(hidden, width);
        Activation = activation;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => c_proj.call(Activations.Apply(c_fc.call(x), Activation));
}

/// <summary>The activation functions, shared by dense and expert MLPs so both compute the same function.</summary>
public static class Activations
{
    public static Tensor Apply(Tensor x, Activation activation) => activation switch
    {
        Activation.Gelu => nn.functional.gelu(x),
        // OpenAI CLIP's QuickGELU: x * sigmoid(1.702 x).
        Activation.QuickGelu => x * torch.sigmoid(1.702 * x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
