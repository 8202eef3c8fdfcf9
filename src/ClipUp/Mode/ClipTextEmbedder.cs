using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>
/// The "language seed" embedder of MoDE Table 7: captions through a CLIP text tower (the partially trained seed
/// model), L2-normalised. Tokenisation comes in as a delegate (e.g. <c>texts => ClipTokenizer.Tokenize(texts, ctx)</c>)
/// so this type does not depend on a particular tokenizer.
/// </summary>
public sealed class ClipTextEmbedder : ICaptionEmbedder
{
    private readonly ClipModelBase model;
    private readonly Func<IReadOnlyList<string>, Tensor> tokenize;
    private readonly Device device;
    private readonly int batchSize;

    /// <param name="model">Its text tower encodes; the caller chooses train/eval mode and the device it lives on.</param>
    /// <param name="tokenize">Captions → int64 token ids [N, T].</param>
    /// <param name="name">Identifies the weights (e.g. "seed-epoch27"); part of <see cref="Name"/> and so of the cache key.</param>
    /// <param name="device">Where tokens go and results stay; must be the model's device.</param>
    public ClipTextEmbedder(ClipModelBase model, Func<IReadOnlyList<string>, Tensor> tokenize, string name, Device device, int batchSize = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        this.model = model;
        this.tokenize = tokenize;
        this.device = device;
        this.batchSize = batchSize;
        Name = $"clip-text:{name}";
    }

    public string Name { get; }

    public int Dimension => model.Config.EmbedDim;

    public Tensor Embed(IReadOnlyList<string> captions)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (var start = 0; start < captions.Count; start += batchSize)
        {
            var slice = captions.Skip(start).Take(batchSize).ToArray();
            var tokens = tokenize(slice);
            if (tokens.dim() != 2 || tokens.shape[0] != slice.Length)
                throw new ArgumentException($"tokenize returned [{string.Join(", ", tokens.shape)}] for {slice.Length} captions: expected [{slice.Length}, T]");
            var text = model.EncodeText(tokens.to(ScalarType.Int64, device));                  // [B, E]
            parts.Add(nn.functional.normalize(text.to(ScalarType.Float32), dim: -1));
        }
        var result = parts.Count == 0 ? zeros(0, Dimension, device: device) : cat(parts);
        return result.MoveToOuterDisposeScope();
    }
}
