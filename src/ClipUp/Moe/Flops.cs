using ClipUp.Model;

namespace ClipUp.Moe;

/// <summary>Forward FLOPs of one image and one caption (2 FLOPs per multiply-add).</summary>
public sealed record ForwardFlops(double Image, double Text)
{
    public double Total => Image + Text;
}

/// <summary>
/// Analytic forward FLOPs per sample, counted as open_clip's <c>docs/model_profile.csv</c> counts them (matches its B/32
/// 14.78, B/16 41.09, L/14 175.33 GFLOPs within 0.1%): matmuls only (patch conv, QKV and output projections,
/// QKᵀ and attention·V over all N² pairs, even under the causal mask, MLPs, the final projection); LayerNorm, softmax,
/// activations and embedding lookups are not counted. Text runs over the full context. An MoE layer counts its active
/// experts per token: K under token choice, min(E, EvalCapacityFactor) under expert choice (E·C ≈ CF·T slots); capacity
/// padding and drops are ignored. The router's D×E matmul is counted when <c>includeRouter</c> (clip-up.md §1.2's
/// table leaves it out; it is &lt; 0.1% of a B/16). Axes: N tokens, D width, F hidden, L layers, E experts.
/// </summary>
public static class Flops
{
    /// <param name="clip">The dense architecture.</param>
    /// <param name="moe">Null for the dense model.</param>
    /// <param name="shared">A one-tower backbone (<see cref="SharedClipModel"/>): both modalities run the vision-sized transformer.</param>
    /// <param name="includeRouter">Count 2·N·D·E per MoE layer for the router.</param>
    public static ForwardFlops Forward(ClipConfig clip, MoeConfig? moe = null, bool shared = false, bool includeRouter = true)
    {
        var (v, t) = (clip.Vision, clip.Text);
        Tower imageTower = shared ? Tower.Shared : Tower.Image, textTower = shared ? Tower.Shared : Tower.Text;
        double patches = v.GridSize * v.GridSize;
        double patchEmbed = 2 * patches * (3.0 * v.PatchSize * v.PatchSize) * v.Width;
        double image = patchEmbed + TowerFlops(v.Tokens, v.Width, v.MlpHidden, v.Layers, moe, imageTower, includeRouter) + 2.0 * v.Width * clip.EmbedDim;
        var (tw, th, tl) = shared ? (v.Width, v.MlpHidden, v.Layers) : (t.Width, t.MlpHidden, t.Layers);
        double text = TowerFlops(t.ContextLength, tw, th, tl, moe, textTower, includeRouter) + 2.0 * tw * clip.EmbedDim;
        return new ForwardFlops(image, text);
    }

    /// <summary>One transformer block over <paramref name="tokens"/> tokens with <paramref name="activeMlps"/> MLPs per token.</summary>
    public static double Block(int tokens, int width, int hidden, double activeMlps = 1, int routerExperts = 0)
    {
        double n = tokens, d = width, f = hidden;
        double projections = 2 * n * d * (3 * d) + 2 * n * d * d;                                  // QKV, output
        double attention = 2 * (2 * n * n * d);                                                     // QKᵀ, A·V
        double mlp = activeMlps * 2 * (2 * n * d * f);                                              // c_fc, c_proj
        return projections + attention + mlp + 2 * n * d * routerExperts;
    }

    /// <summary>Experts a token uses in an MoE layer (K, or the expected CF under expert choice).</summary>
    public static double ActiveExperts(MoeConfig moe) =>
        moe.Router == RouterKind.TokenChoice ? moe.TopK : Math.Min(moe.NumExperts, moe.EvalCapacityFactor);

    private static double TowerFlops(int tokens, int width, int hidden, int layers, MoeConfig? moe, Tower tower, bool includeRouter)
    {
        var moeLayers = moe is null ? [] : MoeModels.MoeLayers(moe, tower, layers);
        double total = 0;
        for (int i = 0; i < layers; i++)
            total += moeLayers.Contains(i)
                ? Block(tokens, width, hidden, ActiveExperts(moe!), includeRouter ? moe!.NumExperts : 0)
                : Block(tokens, width, hidden);
        return total;
    }
}
