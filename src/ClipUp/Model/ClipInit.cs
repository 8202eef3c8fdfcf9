using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>
/// open_clip's CLIP initialisation (<c>CLIP.initialize_parameters</c>, <c>VisionTransformer</c>), applied to both towers:
/// token embedding N(0, 0.02²), text positions N(0, 0.01²), class token / image positions / projections N(0, D⁻¹),
/// attention in_proj N(0, D⁻¹), out_proj and c_proj N(0, D⁻¹·(2L)⁻¹), c_fc N(0, (2D)⁻¹). Biases of attention are zero;
/// MLP biases follow PyTorch's Linear default U(±1/√fan_in).
/// Every draw comes from one generator seeded by the caller, so a seed fixes the whole model in any process. open_clip leaves the vision blocks at PyTorch defaults; we use the same
/// scaled scheme for both towers so that depth does not change the residual stream's scale (a deliberate deviation).
/// </summary>
public static class ClipInit
{
    // Tensor.normal_/uniform_ draw from the given generator; TorchSharp 0.107's nn.init.normal_/uniform_ ignore theirs
    // (ClipModelTests.TheSameSeedBuildsTheSameModel pins this).
    public static void Apply(ClipModel model, long seed)
    {
        // `using`: TorchSharp hands libtorch a bare pointer, so an unreferenced Generator can be finalized during the
        // last call that draws from it (environment.md, "Finalizers").
        using var g = new Generator((ulong)seed);
        using var _ = torch.no_grad();
        var t = model.Config.Text;
        var v = model.Config.Vision;
        // nn.Embedding's weight getter makes a new wrapper on every call; `using` keeps it alive while normal_ draws into
        // it (environment.md, "Finalizers").
        using (var tokens = model.token_embedding.weight!) tokens.normal_(0, 0.02, g);
        model.positional_embedding.normal_(0, 0.01, g);
        model.text_projection.normal_(0, Math.Pow(t.Width, -0.5), g);
        InitTransformer(model.transformer, t.Width, t.Layers, g);

        double scale = Math.Pow(v.Width, -0.5);
        model.visual.class_embedding.normal_(0, scale, g);
        model.visual.positional_embedding.normal_(0, scale, g);
        model.visual.proj.normal_(0, scale, g);
        model.visual.conv1.weight.normal_(0, scale, g);
        InitTransformer(model.visual.transformer, v.Width, v.Layers, g);
    }

    /// <summary>Scaled init of one tower's blocks; dense MLPs are initialised here, MoE MLPs initialise themselves.</summary>
    public static void InitTransformer(Transformer transformer, int width, int layers, Generator g)
    {
        double attnStd = Math.Pow(width, -0.5);
        double projStd = attnStd * Math.Pow(2 * layers, -0.5);
        double fcStd = Math.Pow(2 * width, -0.5);
        foreach (var block in transformer.resblocks)
        {
            block.attn.in_proj_weight.normal_(0, attnStd, g);
            block.attn.out_proj.weight.normal_(0, projStd, g);
            nn.init.zeros_(block.attn.out_proj.bias!);
            if (block.mlp is Mlp mlp)
            {
                mlp.c_fc.weight.normal_(0, fcStd, g);
                mlp.c_proj.weight.normal_(0, projStd, g);
                // PyTorch's Linear bias init, U(±1/√fan_in), but drawn from the seeded generator: Linear's own init uses
                // the global RNG, and a model must be the same in every process for exact resume and reproducible runs.
                double fcBound = 1 / Math.Sqrt(mlp.c_fc.weight.shape[1]), projBound = 1 / Math.Sqrt(mlp.c_proj.weight.shape[1]);
                mlp.c_fc.bias!.uniform_(-fcBound, fcBound, g);
                mlp.c_proj.bias!.uniform_(-projBound, projBound, g);
            }
        }
    }
}
