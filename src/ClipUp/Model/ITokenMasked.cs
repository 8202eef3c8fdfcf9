using static TorchSharp.torch;

namespace ClipUp.Model;

/// <summary>
/// An MLP that may skip positions whose outputs are never read. The text tower sets a mask of the positions up to each
/// row's end-of-text token: with causal attention and end-token pooling nothing after it reaches the embedding, so an
/// MoE layer need not route the padding (which would otherwise crowd one expert and push real tokens over capacity).
/// </summary>
public interface ITokenMasked
{
    /// <summary>[B, T] bool (true = route this position), or null for every position; set per call by the tower.</summary>
    Tensor? TokenMask { set; }
}

/// <summary>Sets and clears the token mask on every masked MLP of a transformer around one call.</summary>
public static class TokenMasks
{
    /// <summary>Positions up to and including each row's end-of-text token (the largest id): [B, T] bool.</summary>
    public static Tensor UpToEndOfText(Tensor tokens)
    {
        var eot = tokens.argmax(-1);                                                          // [B]
        return arange(tokens.shape[1], device: tokens.device).unsqueeze(0) <= eot.unsqueeze(1); // [B, T]
    }

    public static Tensor Run(Transformer transformer, Tensor x, Tensor mask, Func<Tensor, Tensor> run)
    {
        var masked = transformer.resblocks.Select(b => b.mlp).OfType<ITokenMasked>().ToList();
        foreach (var m in masked) m.TokenMask = mask;
        try { return run(x); }
        finally { foreach (var m in masked) m.TokenMask = null; }
    }
}
