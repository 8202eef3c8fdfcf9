using ClipUp.Model;
using ClipUp.Moe;

namespace ClipUp.Tests.Moe;

public class MoeConfigTests
{
    public static TheoryData<MoeConfig, string> Invalid => new()
    {
        { new MoeConfig { NumExperts = 2, TopK = 3 }, "moe.top_k 3 exceeds moe.num_experts 2: set moe.top_k <= moe.num_experts" },
        { new MoeConfig { NumExperts = 0, TopK = 1 }, "moe.num_experts 0 must be >= 1" },
        { new MoeConfig { TrainCapacityFactor = 0 }, "moe.train_capacity_factor 0 must be > 0" },
        { new MoeConfig { EvalCapacityFactor = -0.5 }, "moe.eval_capacity_factor -0.5 must be > 0" },
        { new MoeConfig { Placement = MoePlacement.Explicit(1, 12) }, "moe.placement.layers index 12 is out of range for a tower of 12 layers" },
        { new MoeConfig { Placement = MoePlacement.LastK(13) }, "moe.placement.kind last_k with count 13 needs 1 <= count <= 12" },
        { new MoeConfig { Aux = new AuxLossWeights { Load = 0.005 } }, "the load loss (weight 0.005) needs router noise: set moe.noise_std > 0" },
        { new MoeConfig { Aux = new AuxLossWeights { ZLoss = -1 } }, "moe.aux.z_loss -1 must be finite and >= 0" },
        { new MoeConfig { JitterNoise = 1.5 }, "moe.jitter_noise 1.5 must be in [0, 1)" },
        { new MoeConfig { Router = RouterKind.ExpertChoice, BatchPriority = true }, "moe.batch_priority applies to token-choice routing only" },
        { new MoeConfig { ExpertInit = ExpertInit.CopyWithNoise(0) }, "moe.expert_init.kind copy_with_noise needs moe.expert_init.noise_std > 0, got 0" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidConfigsThrowWithTheValuesAndTheFix(MoeConfig config, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => config.Validate(12)).Message);

    [Fact]
    public void TheDefaultIsClipUpsLikelyRecipeAndValid()
    {
        var c = new MoeConfig();
        c.Validate(ClipConfig.B16);
        Assert.Equal((8, 2, RouterKind.TokenChoice, GateNormalization.Renormalized), (c.NumExperts, c.TopK, c.Router, c.GateNormalization));
        Assert.Equal((0.01, 1e-3), (c.Aux.LoadBalance, c.Aux.ZLoss));
        Assert.Equal([1, 3, 5, 7, 9, 11], c.Placement.LayersOf(12));
    }

    [Fact]
    public void PlacementsPickTheDocumentedBlocks()
    {
        Assert.Equal([0, 1, 2, 3], MoePlacement.All.LayersOf(4));
        Assert.Equal([4, 5], MoePlacement.LastK(2).LayersOf(6));
        Assert.Equal([0, 2], MoePlacement.Explicit(2, 0).LayersOf(3));
    }

    [Fact]
    public void AConfigRoundTripsThroughJsonWithStringEnums()
    {
        var c = new MoeConfig
        {
            NumExperts = 4, TopK = 1, Router = RouterKind.ExpertChoice, Placement = MoePlacement.Explicit(0, 1),
            Towers = MoeTowers.Image, Aux = new AuxLossWeights { LimoeLocal = 0.1 }, ExpertInit = ExpertInit.CopyWithNoise(1e-3),
        };
        var json = c.ToJson();
        Assert.Contains("\"router\": \"expert_choice\"", json);
        Assert.Contains("\"kind\": \"copy_with_noise\"", json);
        Assert.Equal(c, MoeConfig.FromJson(json));
    }

    [Fact]
    public void AMisspeltJsonKeyIsAnError()
    {
        var e = Assert.Throws<InvalidDataException>(() => MoeConfig.FromJson("""{"num_expert": 4}"""));
        Assert.Contains("unknown key", e.Message);
    }
}
