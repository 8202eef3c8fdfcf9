using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>
/// OpenAI CLIP with separated towers: <see cref="visual"/> (a ViT) and a causal text transformer whose parts sit at the
/// top level, exactly as in OpenAI's and open_clip's <c>CLIP</c> class, so their state-dict keys are ours.
/// Axes: B batch, T context, D text width, E embed.
/// </summary>
public sealed class ClipModel : ClipModelBase
{
    public readonly VisionTransformer visual;
    public readonly Embedding token_embedding;
    public readonly Parameter positional_embedding;
    public readonly Transformer transformer;
    public readonly LayerNormFp32 ln_final;
    public readonly Parameter text_projection;
    public readonly Parameter logit_scale;
    private readonly ClipConfig config;

    /// <param name="config">The architecture; validated here.</param>
    /// <param name="mlpFactory">Builds each block's MLP (dense by default; MoE models pass their own).</param>
    /// <param name="seed">Seed of the parameter initialisation (<see cref="ClipInit"/>).</param>
    public ClipModel(ClipConfig config, MlpFactory? mlpFactory = null, long seed = 0) : base(nameof(ClipModel))
    {
        config.Validate();
        this.config = config;
        var mlps = mlpFactory ?? MlpFactories.Dense;
        var t = config.Text;
        visual = new VisionTransformer(config.Vision, config.EmbedDim, config.Activation, mlps);
        token_embedding = nn.Embedding(t.VocabSize, t.Width);
        positional_embedding = nn.Parameter(torch.empty(t.ContextLength, t.Width));
        transformer = new Transformer(Tower.Text, t.Width, t.Layers, t.Heads, t.MlpHidden, config.Activation, causal: true, mlps);
        ln_final = new LayerNormFp32(t.Width);
        text_projection = nn.Parameter(torch.empty(t.Width, config.EmbedDim));
        logit_scale = nn.Parameter(torch.tensor(Math.Log(1 / 0.07), ScalarType.Float32));
        RegisterComponents();
        ClipInit.Apply(this, seed);
    }

    public override ClipConfig Config => config;
    public override Tensor LogitScaleParameter => logit_scale;

    public override Tensor EncodeImage(Tensor images) => visual.call(images);

    public override Tensor EncodeText(Tensor tokens)
    {
        CheckTokens(tokens, config.Text.ContextLength);
        var x = token_embedding.call(tokens) + positional_embedding;                      // [B, T, D]
        x = ln_final.call(TokenMasks.Run(transformer, x, TokenMasks.UpToEndOfText(tokens), transformer.call));
        // OpenAI pools at the end-of-text token, the largest id in each row (49407).
        var eot = tokens.argmax(-1);                                                       // [B]
        var pooled = x[torch.arange(x.shape[0], device: x.device), eot];                   // [B, D]
        return torch.matmul(pooled, text_projection.to(pooled.dtype));                     // [B, E]
    }

    internal static void CheckTokens(Tensor tokens, int contextLength)
    {
        if (tokens.dim() != 2 || tokens.shape[1] != contextLength || tokens.dtype != ScalarType.Int64)
            throw new ArgumentException(
                $"expected token ids [B, {contextLength}] int64, got [{string.Join(", ", tokens.shape)}] {tokens.dtype}: " +
                $"tokenize with ClipTokenizer using contextLength {contextLength}");
    }
}
