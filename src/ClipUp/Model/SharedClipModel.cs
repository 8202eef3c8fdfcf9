using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>
/// An MLP that tags its statistics with the modality it is routing. A shared backbone sets it before each pass, so an
/// MoE layer used by both modalities reports image and text routing separately (LIMoE's per-modality losses).
/// </summary>
public interface IModalityTagged
{
    Tower Modality { get; set; }
}

/// <summary>
/// A LIMoE-style one-tower CLIP (Mustafa et al. 2022; clip-up.md §6, experiments 3 and 5): ONE <see cref="transformer"/>
/// serves both modalities, each with its own stem and head. Images: <see cref="visual"/> (patch conv, class token,
/// positions, ln_pre; then ln_post on the class token and proj) with unmasked attention. Text: token and position
/// embeddings, causal attention, ln_final, pooling at the end-of-text token, text_projection. Keys are ClipModel's
/// without <c>visual.transformer</c>: the stems and heads load by name from a two-tower checkpoint. The shared width,
/// depth and heads are the vision tower's, and the config must give the text tower the same ones. Initialised as
/// <see cref="ClipInit"/> initialises the two-tower model. Axes: B batch, N tokens, D width, E embed.
/// </summary>
public sealed class SharedClipModel : ClipModelBase
{
    public readonly ImageStem visual;
    public readonly Embedding token_embedding;
    public readonly Parameter positional_embedding;
    public readonly Transformer transformer;
    public readonly LayerNormFp32 ln_final;
    public readonly Parameter text_projection;
    public readonly Parameter logit_scale;
    private readonly ClipConfig config;

    /// <param name="config">Vision and text must share Width, Layers, Heads and MlpRatio.</param>
    /// <param name="mlpFactory">Builds each shared block's MLP (sites have <see cref="Tower.Shared"/>).</param>
    /// <param name="seed">Seed of the parameter initialisation.</param>
    public SharedClipModel(ClipConfig config, MlpFactory? mlpFactory = null, long seed = 0) : base(nameof(SharedClipModel))
    {
        Validate(config);
        this.config = config;
        var v = config.Vision;
        var t = config.Text;
        visual = new ImageStem(v, config.EmbedDim);
        token_embedding = nn.Embedding(t.VocabSize, v.Width);
        positional_embedding = nn.Parameter(torch.empty(t.ContextLength, v.Width));
        transformer = new Transformer(Tower.Shared, v.Width, v.Layers, v.Heads, v.MlpHidden, config.Activation, causal: false,
            mlpFactory ?? MlpFactories.Dense);
        ln_final = new LayerNormFp32(v.Width);
        text_projection = nn.Parameter(torch.empty(v.Width, config.EmbedDim));
        logit_scale = nn.Parameter(torch.tensor(Math.Log(1 / 0.07), ScalarType.Float32));
        RegisterComponents();
        Initialize(seed);
    }

    public override ClipConfig Config => config;
    public override Tensor LogitScaleParameter => logit_scale;

    public override Tensor EncodeImage(Tensor images)
    {
        var x = visual.call(images);                                                       // [B, N+1, D]
        x = Shared(x, Tower.Image, causal: false);
        return visual.Head(x);                                                             // [B, E]
    }

    public override Tensor EncodeText(Tensor tokens)
    {
        ClipModel.CheckTokens(tokens, config.Text.ContextLength);
        var x = token_embedding.call(tokens) + positional_embedding;                      // [B, T, D]
        x = ln_final.call(TokenMasks.Run(transformer, x, TokenMasks.UpToEndOfText(tokens), h => Shared(h, Tower.Text, causal: true)));
        var eot = tokens.argmax(-1);                                                       // [B]
        var pooled = x[torch.arange(x.shape[0], device: x.device), eot];                   // [B, D]
        return torch.matmul(pooled, text_projection.to(pooled.dtype));                     // [B, E]
    }

    /// <summary>Throws unless the two towers can share one transformer.</summary>
    public static void Validate(ClipConfig config)
    {
        config.Validate();
        var (v, t) = (config.Vision, config.Text);
        VisionConfig.Require(v.Width == t.Width && v.Layers == t.Layers && v.Heads == t.Heads && v.MlpRatio == t.MlpRatio,
            $"a shared backbone needs equal towers, got vision Width {v.Width}, Layers {v.Layers}, Heads {v.Heads}, MlpRatio {v.MlpRatio} " +
            $"and text Width {t.Width}, Layers {t.Layers}, Heads {t.Heads}, MlpRatio {t.MlpRatio}: set the text tower's values to the vision tower's");
    }

    private Tensor Shared(Tensor x, Tower modality, bool causal)
    {
        foreach (var block in transformer.resblocks)
            if (block.mlp is IModalityTagged tagged) tagged.Modality = modality;
        return transformer.forward(x, causal);
    }

    private void Initialize(long seed)
    {
        using var g = new Generator((ulong)seed);   // alive until the last draw (environment.md, "Finalizers")
        var v = config.Vision;
        double scale = Math.Pow(v.Width, -0.5);
        using var _ = torch.no_grad();
        // Tensor.normal_ draws from g; nn.init.normal_ (used by ClipInit) ignores its generator in TorchSharp 0.107.
        using (var tokens = token_embedding.weight!) tokens.normal_(0, 0.02, g);   // a fresh wrapper: held (ClipInit)
        positional_embedding.normal_(0, 0.01, g);
        text_projection.normal_(0, scale, g);
        visual.class_embedding.normal_(0, scale, g);
        visual.positional_embedding.normal_(0, scale, g);
        visual.proj.normal_(0, scale, g);
        visual.conv1.weight.normal_(0, scale, g);
        ClipInit.InitTransformer(transformer, v.Width, v.Layers, g);
    }

    /// <summary>The image stem and head of the shared model (ClipModel's <c>visual</c> keys without its transformer).</summary>
    public sealed class ImageStem : nn.Module<Tensor, Tensor>
    {
        public readonly Conv2d conv1;
        public readonly Parameter class_embedding;
        public readonly Parameter positional_embedding;
        public readonly LayerNormFp32 ln_pre;
        public readonly LayerNormFp32 ln_post;
        public readonly Parameter proj;
        private readonly VisionConfig config;

        public ImageStem(VisionConfig config, int embedDim) : base(nameof(ImageStem))
        {
            this.config = config;
            int w = config.Width;
            conv1 = nn.Conv2d(3, w, kernel_size: config.PatchSize, stride: config.PatchSize, bias: false);
            class_embedding = nn.Parameter(torch.empty(w));
            positional_embedding = nn.Parameter(torch.empty(config.Tokens, w));
            ln_pre = new LayerNormFp32(w);
            ln_post = new LayerNormFp32(w);
            proj = nn.Parameter(torch.empty(w, embedDim));
            RegisterComponents();
        }

        /// <summary>Images [B, 3, S, S] → tokens [B, N+1, D] ready for the transformer (class token first).</summary>
        public override Tensor forward(Tensor images)
        {
            int s = config.ImageSize;
            if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != s || images.shape[3] != s)
                throw new ArgumentException(
                    $"expected images [B, 3, {s}, {s}], got [{string.Join(", ", images.shape)}]: resize/crop to {s} px (the model's ImageSize)");
            var x = conv1.call(images).flatten(2).transpose(1, 2);                         // [B, N, D]
            var cls = class_embedding.to(x.dtype).expand(x.shape[0], 1, -1);               // [B, 1, D]
            x = torch.cat([cls, x], dim: 1) + positional_embedding.to(x.dtype);            // [B, N+1, D]
            return ln_pre.call(x);
        }

        /// <summary>Transformer output [B, N+1, D] → unnormalised image embeddings [B, E] from the class token.</summary>
        public Tensor Head(Tensor x) => torch.matmul(ln_post.call(x[.., 0]), proj.to(x.dtype));
    }
}
