using ClipUp.Io;
using ClipUp.Model;
using ClipUp.Moe;
using ClipUp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Moe;

public class MoeModelsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-moe-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void MoeLayersSitWhereTowersAndPlacementSayWithPredictableKeys()
    {
        var config = new MoeConfig { NumExperts = 4, TopK = 2, Towers = MoeTowers.Image };
        using var model = MoeModels.Create(ClipConfig.Tiny, config, seed: 1);
        Assert.Equal(["visual.transformer.resblocks.1.mlp"], Routing.Layers(model).Select(l => l.Name));
        var shapes = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        const string p = "visual.transformer.resblocks.1.mlp.";
        Assert.Equal([4L, 64], shapes[p + "router.weight"]);
        Assert.Equal([4L, 64, 256], shapes[p + "experts.c_fc_weight"]);
        Assert.Equal([4L, 256], shapes[p + "experts.c_fc_bias"]);
        Assert.Equal([4L, 256, 64], shapes[p + "experts.c_proj_weight"]);
        Assert.Equal([4L, 64], shapes[p + "experts.c_proj_bias"]);
        Assert.Equal([256L, 64], shapes["visual.transformer.resblocks.0.mlp.c_fc.weight"]);
        Assert.Contains("transformer.resblocks.1.mlp.c_fc.weight", shapes.Keys);   // text tower stays dense
        Assert.Equal(new MoeLayout(4, 2, [1], [], config.ToJson()), MoeModels.Layout(ClipConfig.Tiny, config));
    }

    [Fact]
    public void TheIoLayerReadsTheMoeLayoutAndShapesOffAnMoeStateDict()
    {
        // Io.ArchitectureInference checks every key and shape against KEYS.md (ClipShapes) for the MoE blocks it detects.
        var config = new MoeConfig { NumExperts = 3, TopK = 2, Placement = MoePlacement.All, Towers = MoeTowers.Text };
        using var model = MoeModels.Create(ClipConfig.Tiny, config, seed: 1);
        var arch = ArchitectureInference.FromOpenAi(model.state_dict(), ClipActivation.Gelu, headDim: 16, moeTopK: 2);
        var expected = MoeModels.Layout(ClipConfig.Tiny, config);
        Assert.Equal((expected.NumExperts, expected.TopK), (arch.Moe!.NumExperts, arch.Moe.TopK));
        Assert.Equal(expected.VisionLayers, arch.Moe.VisionLayers);
        Assert.Equal([0, 1], arch.Moe.TextLayers);
    }

    [Fact]
    public void TwoConsecutiveStepsDoNotAccumulateReports()
    {
        using var model = MoeModels.Create(ClipConfig.Tiny, new MoeConfig { NumExperts = 4, TopK = 2, Placement = MoePlacement.All }, seed: 1);
        var (images, tokens) = MoeTestData.Batch(2);
        for (int step = 0; step < 2; step++)
        {
            model.call(images, tokens);
            var summary = Routing.Take(model);
            // 2 image + 2 text MoE layers, one report each; aux = Σ over the 4 layers.
            Assert.Equal(4, summary.Reports.Count);
            var sum = summary.Reports.Select(r => r.AuxLoss.item<float>()).Sum();
            Assert.Equal(sum, summary.AuxLoss!.item<float>(), 5);
            Assert.Empty(Routing.Take(model).Reports);
            Assert.Null(Routing.Take(model).AuxLoss);
        }
        // A forgotten Take does not pile up: each layer keeps its latest report per modality.
        model.call(images, tokens);
        model.call(images, tokens);
        var twice = Routing.Take(model);
        Assert.Equal(["image L0", "image L1", "text L0", "text L1"], twice.Reports.Select(r => r.Label));
    }

    [Fact]
    public void AnExpertChoiceModelTrains()
    {
        var config = new MoeConfig { NumExperts = 4, Router = RouterKind.ExpertChoice, TrainCapacityFactor = 1.5, EvalCapacityFactor = 1.5 };
        using var model = MoeModels.Create(ClipConfig.Tiny, config, seed: 4);
        var losses = MoeTestData.Train(model, 20);
        Assert.True(losses[^1] < losses[0] - 0.2, $"loss went {losses[0]:F3} → {losses[^1]:F3}");
        Assert.All(Routing.Layers(model), l => Assert.Equal(RouterKind.ExpertChoice, l.Layer.Config.Router));
    }

    [Fact]
    public void AnMoeCheckpointSavesAndLoadsBitExactly()
    {
        var config = new MoeConfig { NumExperts = 3, TopK = 2, Placement = MoePlacement.All };
        using var model = MoeModels.Create(ClipConfig.Tiny, config, seed: 5);
        MoeTestData.Train(model, 2);                                   // move away from the init
        var path = Path.Combine(dir, "moe.dat");
        model.save(path);
        using var loaded = MoeModels.Create(ClipConfig.Tiny, config, seed: 6);
        loaded.load(path);
        var saved = model.state_dict();
        foreach (var (key, value) in loaded.state_dict())
            Assert.True(MoeTestData.Bitwise(saved[key], value), $"{key} differs after load");
        var (images, tokens) = MoeTestData.Batch(3);
        model.eval(); loaded.eval();
        using var _ = torch.no_grad();
        Assert.True(MoeTestData.Bitwise(model.call(images, tokens).ImageEmbeds, loaded.call(images, tokens).ImageEmbeds));
    }
}
