using ClipUp.Model;
using ClipUp.Moe;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Moe;

public class UpcyclerTests
{
    public static TheoryData<PlacementKind, MoeTowers, int> StepZeroCases => new()
    {
        { PlacementKind.EveryOther, MoeTowers.Both, 2 },
        { PlacementKind.All, MoeTowers.Both, 2 },
        { PlacementKind.All, MoeTowers.Both, 1 },
        { PlacementKind.EveryOther, MoeTowers.Image, 2 },
        { PlacementKind.All, MoeTowers.Text, 2 },
    };

    [Theory]
    [MemberData(nameof(StepZeroCases))]
    public void AnUpcycledModelEqualsItsDenseModelAtStepZero(PlacementKind placement, MoeTowers towers, int topK)
    {
        // Identical experts, renormalised gates (Σ_k g = 1) and CF = E/K (C = T, nothing dropped): Σ_k g_k·MLP(x) = MLP(x).
        using var dense = new ClipModel(ClipConfig.Tiny, seed: 1);
        var moe = new MoeConfig
        {
            NumExperts = 4, TopK = topK, TrainCapacityFactor = 4.0 / topK, EvalCapacityFactor = 4.0 / topK,
            Placement = new MoePlacement(placement), Towers = towers, RouterInitStd = 0.5,
        };
        using var up = Upcycler.Upcycle(dense, moe, seed: 2);
        Assert.NotEmpty(Routing.Layers(up));
        var (images, tokens) = MoeTestData.Batch(3);
        dense.eval();
        up.eval();
        using var _ = torch.no_grad();
        double image = MoeTestData.MaxAbsDiff(dense.EncodeImage(images), up.EncodeImage(images));
        double text = MoeTestData.MaxAbsDiff(dense.EncodeText(tokens), up.EncodeText(tokens));
        Assert.True(image < 1e-5, $"image embeddings differ by {image}");
        Assert.True(text < 1e-5, $"text embeddings differ by {text}");
        var summary = Routing.Take(up);
        Assert.All(summary.Reports, r => Assert.Equal(0f, r.DroppedAssignments.item<float>()));
    }

    [Fact]
    public void RawGatesDoNotReproduceTheDenseModel()
    {
        // Without renormalisation the output is scaled by Σ_k p ≈ K/E: the reason CLIP-UP renormalises.
        using var dense = new ClipModel(ClipConfig.Tiny, seed: 1);
        var moe = new MoeConfig { NumExperts = 4, TopK = 2, GateNormalization = GateNormalization.Raw, EvalCapacityFactor = 2 };
        using var up = Upcycler.Upcycle(dense, moe, seed: 2);
        var (images, _) = MoeTestData.Batch(2);
        dense.eval(); up.eval();
        using var _ = torch.no_grad();
        Assert.True(MoeTestData.MaxAbsDiff(dense.EncodeImage(images), up.EncodeImage(images)) > 1e-3);
    }

    [Fact]
    public void UpcyclingLeavesTheDenseModelUntouchedAndCopiesEveryWeight()
    {
        using var dense = new ClipModel(ClipConfig.Tiny, seed: 1);
        var before = dense.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var up = Upcycler.Upcycle(dense, new MoeConfig { NumExperts = 3, TopK = 1 }, seed: 2);
        foreach (var (key, value) in dense.state_dict())
            Assert.True(MoeTestData.Bitwise(before[key], value), $"{key} changed");

        var source = dense.state_dict();
        foreach (var (key, value) in up.state_dict())
        {
            if (key.EndsWith("mlp.router.weight")) continue;
            if (key.Contains(".mlp.experts."))
            {
                // resblocks.1.mlp.experts.c_fc_weight[e] = resblocks.1.mlp.c_fc.weight ᵀ for every expert e.
                var prefix = key[..key.IndexOf(".experts.", StringComparison.Ordinal)];
                var name = key[(key.LastIndexOf('.') + 1)..];
                int cut = name.LastIndexOf('_');                                                   // c_fc_weight → c_fc.weight
                var dense1 = source[$"{prefix}.{name[..cut]}.{name[(cut + 1)..]}"];
                for (int e = 0; e < 3; e++)
                    Assert.True(MoeTestData.Bitwise(dense1.dim() == 2 ? dense1.t() : dense1, value[e]), $"{key}[{e}]");
                continue;
            }
            Assert.True(MoeTestData.Bitwise(source[key], value), $"{key} not copied");
        }
    }

    [Fact]
    public void NoisyAndRandomExpertsDifferFromTheDenseMlp()
    {
        using var dense = new ClipModel(ClipConfig.Tiny, seed: 1);
        var denseFc = dense.visual.transformer.resblocks[1].mlp is Mlp m ? m.c_fc.weight.t() : throw new InvalidOperationException();
        double Diff(ExpertInit init)
        {
            using var up = Upcycler.Upcycle(dense, new MoeConfig { NumExperts = 2, TopK = 1, ExpertInit = init }, seed: 2);
            var experts = ((MoeMlp)up.visual.transformer.resblocks[1].mlp).experts;
            return MoeTestData.MaxAbsDiff(experts.c_fc_weight[1], denseFc);
        }
        Assert.Equal(0, Diff(ExpertInit.Copy));
        double noisy = Diff(ExpertInit.CopyWithNoise(1e-3));
        Assert.InRange(noisy, 1e-4, 1e-2);        // max of 64·256 draws of |N(0, 1e-3²)| ≈ 4.5e-3
        Assert.True(Diff(ExpertInit.Random) > 0.1);
    }

    [Fact]
    public void TheRouterReceivesNonZeroGradients()
    {
        // From scratch the experts differ, so the contrastive loss alone reaches the router through the gates;
        // upcycled experts are identical at step 0 (the gates' gradient cancels), so there the aux losses drive it.
        using var scratch = MoeModels.Create(ClipConfig.Tiny, new MoeConfig { NumExperts = 4, TopK = 2, Aux = AuxLossWeights.None }, seed: 3);
        Assert.All(RouterGradNorms(scratch), n => Assert.True(n > 0, $"router gradient norm {n}"));
        using var dense = new ClipModel(ClipConfig.Tiny, seed: 1);
        using var up = Upcycler.Upcycle(dense, new MoeConfig { NumExperts = 4, TopK = 2 }, seed: 3);
        Assert.All(RouterGradNorms(up), n => Assert.True(n > 0, $"router gradient norm {n}"));
    }

    private static List<double> RouterGradNorms(ClipModelBase model)
    {
        var (images, tokens) = MoeTestData.Batch(4);
        model.train();
        var loss = ClipUp.Training.ContrastiveLoss.Compute(model.call(images, tokens));
        var aux = Routing.Take(model).AuxLoss;
        (aux is null ? loss : loss + aux).backward();
        return [.. Routing.Layers(model).Select(l => (double)l.Layer.router.weight.grad!.norm().item<float>())];
    }

    [Fact]
    public void UpcyclingAnMoeModelIsRejected()
    {
        using var moe = MoeModels.Create(ClipConfig.Tiny, new MoeConfig { NumExperts = 2, TopK = 1 }, seed: 1);
        Assert.Contains("already has MoE layers", Assert.Throws<ArgumentException>(() => Upcycler.Upcycle(moe, new MoeConfig(), 0)).Message);
    }
}
