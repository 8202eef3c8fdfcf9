using System.Text.RegularExpressions;
using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// Sparse upcycling (Komatsuzaki et al. 2023; CLIP-UP §1.4 of clip-up.md): a dense CLIP becomes an MoE CLIP of the same
/// kind. Every weight is copied by state-dict key; each MoE layer's experts come from that layer's dense MLP (nn.Linear
/// weights transposed into the stacked input-major layout, biases copied) as <see cref="MoeConfig.ExpertInit"/> says;
/// routers keep their fresh init. With Copy, renormalised top-k and enough capacity, the result computes exactly the
/// dense function at step 0. Strict: a dense key that is not used, or an MoE key that is not filled, throws.
/// Pure: the dense model is only read. The result has the dense model's dtype, device and train/eval mode.
/// </summary>
public static class Upcycler
{
    private static readonly Regex ExpertKey = new(@"\.mlp\.experts\.(c_fc_weight|c_fc_bias|c_proj_weight|c_proj_bias)$");

    public static ClipModel Upcycle(ClipModel dense, MoeConfig moe, long seed) => (ClipModel)Upcycle((ClipModelBase)dense, moe, seed);

    public static SharedClipModel Upcycle(SharedClipModel dense, MoeConfig moe, long seed) => (SharedClipModel)Upcycle((ClipModelBase)dense, moe, seed);

    /// <param name="dense">A <see cref="ClipModel"/> or <see cref="SharedClipModel"/> with dense MLPs only.</param>
    /// <param name="moe">Where the MoE layers go and how experts start.</param>
    /// <param name="seed">Seeds the routers (and random or noisy experts).</param>
    public static ClipModelBase Upcycle(ClipModelBase dense, MoeConfig moe, long seed)
    {
        if (Routing.Layers(dense).Count > 0)
            throw new ArgumentException($"{dense.GetType().Name} already has MoE layers: upcycle a dense model");
        ClipModelBase target = dense switch
        {
            ClipModel c => MoeModels.Create(c.Config, moe, seed),
            SharedClipModel s => MoeModels.CreateShared(s.Config, moe, seed),
            _ => throw new ArgumentException($"cannot upcycle a {dense.GetType().Name}: expected a ClipModel or SharedClipModel"),
        };
        using (var generator = new Generator((ulong)seed ^ 0xC0FFEEUL))   // alive until the last draw (environment.md, "Finalizers")
            CopyWeights(dense, target, moe.ExpertInit, generator);
        var reference = dense.parameters().First();
        target.to(reference.dtype).to(reference.device);
        target.train(dense.training);
        return target;
    }

    /// <summary>
    /// A dense MLP's nn.Linear tensors (c_fc.weight [F, D], c_fc.bias [F], c_proj.weight [D, F], c_proj.bias [D]) as E
    /// stacked experts ([E, D, F], [E, F], [E, F, D], [E, D]); CopyWithNoise adds N(0, std²) to each expert's weight
    /// matrices independently. Random is not a copy and is rejected here.
    /// </summary>
    public static (Tensor FcWeight, Tensor FcBias, Tensor ProjWeight, Tensor ProjBias) ExpertWeights(
        Tensor fcWeight, Tensor fcBias, Tensor projWeight, Tensor projBias, int experts, ExpertInit init, Generator generator)
    {
        if (init.Kind == ExpertInitKind.Random) throw new ArgumentException("ExpertInit Random copies nothing: keep the experts' own init");
        var w1 = fcWeight.t().unsqueeze(0).repeat(experts, 1, 1);                                    // [E, D, F]
        var b1 = fcBias.unsqueeze(0).repeat(experts, 1);                                              // [E, F]
        var w2 = projWeight.t().unsqueeze(0).repeat(experts, 1, 1);                                   // [E, F, D]
        var b2 = projBias.unsqueeze(0).repeat(experts, 1);                                            // [E, D]
        if (init.Kind == ExpertInitKind.CopyWithNoise)
        {
            w1 = w1 + torch.randn(w1.shape, dtype: w1.dtype, generator: generator).to(w1.device) * init.NoiseStd;
            w2 = w2 + torch.randn(w2.shape, dtype: w2.dtype, generator: generator).to(w2.device) * init.NoiseStd;
        }
        return (w1, b1, w2, b2);
    }

    /// <summary>Fills one MoE layer's experts from a dense <see cref="Mlp"/> (the per-layer step of <see cref="Upcycle(ClipModelBase, MoeConfig, long)"/>).</summary>
    public static void UpcycleLayer(Mlp dense, MoeMlp target, ExpertInit init, Generator generator)
    {
        using var _ = torch.no_grad();
        CopyExperts(target.experts, dense.c_fc.weight, dense.c_fc.bias!, dense.c_proj.weight, dense.c_proj.bias!, init, generator);
    }

    private static void CopyWeights(ClipModelBase dense, ClipModelBase target, ExpertInit init, Generator generator)
    {
        var source = dense.state_dict();
        var used = new HashSet<string>();
        using var _ = torch.no_grad();
        foreach (var (key, dst) in target.state_dict())
        {
            if (key.EndsWith(".mlp.router.weight", StringComparison.Ordinal) || ExpertKey.IsMatch(key)) continue;
            if (!source.TryGetValue(key, out var src))
                throw new InvalidDataException($"upcycling: MoE key {key} has no dense counterpart: the dense model's architecture differs");
            if (!src.shape.SequenceEqual(dst.shape))
                throw new InvalidDataException($"upcycling: {key} is [{string.Join(", ", src.shape)}] in the dense model but [{string.Join(", ", dst.shape)}] in the MoE model");
            dst.copy_(src);
            used.Add(key);
        }
        foreach (var (name, layer) in Routing.Layers(target))
        {
            string Take(string suffix)
            {
                var key = $"{name}.{suffix}";
                if (!source.ContainsKey(key)) throw new InvalidDataException($"upcycling: MoE layer {name} needs dense {key}, which is missing");
                used.Add(key);
                return key;
            }
            var (fcW, fcB, projW, projB) = (Take("c_fc.weight"), Take("c_fc.bias"), Take("c_proj.weight"), Take("c_proj.bias"));
            if (init.Kind != ExpertInitKind.Random)
                CopyExperts(layer.experts, source[fcW], source[fcB], source[projW], source[projB], init, generator);
        }
        var unused = source.Keys.Where(k => !used.Contains(k)).ToList();
        if (unused.Count > 0)
            throw new InvalidDataException($"upcycling: dense keys without a place in the MoE model: {string.Join(", ", unused.Take(5))}" +
                                           (unused.Count > 5 ? $" and {unused.Count - 5} more" : ""));
    }

    private static void CopyExperts(Experts experts, Tensor fcWeight, Tensor fcBias, Tensor projWeight, Tensor projBias, ExpertInit init, Generator generator)
    {
        var expected = new long[] { experts.Count, fcWeight.shape[1], fcWeight.shape[0] };
        if (!experts.c_fc_weight.shape.SequenceEqual(expected))
            throw new InvalidDataException(
                $"upcycling: experts c_fc_weight is [{string.Join(", ", experts.c_fc_weight.shape)}] but the dense c_fc.weight [{string.Join(", ", fcWeight.shape)}] needs [{string.Join(", ", expected)}]");
        var (w1, b1, w2, b2) = ExpertWeights(fcWeight, fcBias, projWeight, projBias, experts.Count, init, generator);
        experts.c_fc_weight.copy_(w1);
        experts.c_fc_bias.copy_(b1);
        experts.c_proj_weight.copy_(w2);
        experts.c_proj_bias.copy_(b2);
    }
}
