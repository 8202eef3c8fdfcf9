using ClipUp.Model;
using ClipUp.Moe;
using ClipUp.Tests.Moe;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Model;

public class SharedClipModelTests
{
    [Fact]
    public void OneTransformerServesBothModalitiesAndOtherKeysAreClipModels()
    {
        using var shared = new SharedClipModel(ClipConfig.Tiny, seed: 1);
        using var towers = new ClipModel(ClipConfig.Tiny, seed: 1);
        var sharedKeys = shared.state_dict().Keys.ToHashSet();
        var towerKeys = towers.state_dict().Keys.ToHashSet();
        Assert.DoesNotContain(sharedKeys, k => k.StartsWith("visual.transformer.", StringComparison.Ordinal));
        // Stems, heads, text embeddings and the temperature load by name from a two-tower checkpoint.
        Assert.All(sharedKeys.Where(k => !k.StartsWith("transformer.", StringComparison.Ordinal)), k => Assert.Contains(k, towerKeys));
        Assert.Contains("transformer.resblocks.1.mlp.c_fc.weight", sharedKeys);
        Assert.Contains("visual.conv1.weight", sharedKeys);
        // One tower's blocks fewer than the two-tower model: 2 blocks × 12 tensors.
        Assert.Equal(towerKeys.Count - 2 * 12, sharedKeys.Count);
    }

    [Fact]
    public void TextRunsCausallyAndImagesSeeEveryPatchThroughTheSameBlocks()
    {
        using var model = new SharedClipModel(ClipConfig.Tiny, seed: 1);
        model.eval();
        using var _ = torch.no_grad();
        var (images, tokens) = MoeTestData.Batch(2);
        var text = model.EncodeText(tokens);
        var edited = tokens.clone();
        edited[0, 31] = torch.tensor(7L);                           // after the end token (position 5): invisible to it
        Assert.True(MoeTestData.Bitwise(text, model.EncodeText(edited)));
        edited[0, 2] = torch.tensor(7L);                            // before it: changes the embedding
        Assert.False(MoeTestData.Bitwise(text[0], model.EncodeText(edited)[0]));

        var image = model.EncodeImage(images);
        var patched = images.clone();
        patched[0, .., 24.., 24..] = torch.tensor(3f);              // the last patch: the class token attends to it
        Assert.False(MoeTestData.Bitwise(image[0], model.EncodeImage(patched)[0]));
    }

    [Fact]
    public void UnequalTowersCannotShareATransformer()
    {
        var config = ClipConfig.Tiny with { Text = ClipConfig.Tiny.Text with { Width = 32, Heads = 2 } };
        var e = Assert.Throws<ArgumentException>(() => new SharedClipModel(config));
        Assert.Contains("vision Width 64", e.Message);
        Assert.Contains("text Width 32", e.Message);
    }

    [Fact]
    public void ASharedMoeModelTrainsAndReportsEachModalitySeparately()
    {
        var moe = new MoeConfig
        {
            NumExperts = 4, TopK = 1, Aux = new AuxLossWeights { LimoeLocal = 0.01, LimoeGlobal = 0.01, LimoeGlobalThreshold = 1.0 },
        };
        using var model = MoeModels.CreateShared(ClipConfig.Tiny, moe, seed: 2);
        var (images, tokens) = MoeTestData.Batch(4);
        model.call(images, tokens);
        var reports = Routing.Take(model).Reports;
        Assert.Equal(["shared L1 (image)", "shared L1 (text)"], reports.Select(r => r.Label));
        // Image: 4 × (16 patches + class token); text: only the positions up to each row's end token are routed.
        int textTokens = (int)ClipUp.Model.TokenMasks.UpToEndOfText(tokens).sum().item<long>();
        Assert.Equal([4 * 17, textTokens], reports.Select(r => r.Tokens));

        var losses = MoeTestData.Train(model, 20);
        Assert.True(losses[^1] < losses[0] - 0.2, $"loss went {losses[0]:F3} → {losses[^1]:F3}");
    }

    [Fact]
    public void AnUpcycledSharedModelEqualsItsDenseModelAtStepZero()
    {
        using var dense = new SharedClipModel(ClipConfig.Tiny, seed: 3);
        var moe = new MoeConfig { NumExperts = 4, TopK = 2, TrainCapacityFactor = 2, EvalCapacityFactor = 2, Placement = MoePlacement.All };
        using var up = Upcycler.Upcycle(dense, moe, seed: 4);
        Assert.Equal(2, Routing.Layers(up).Count);
        var (images, tokens) = MoeTestData.Batch(3);
        dense.eval(); up.eval();
        using var _ = torch.no_grad();
        Assert.True(MoeTestData.MaxAbsDiff(dense.EncodeImage(images), up.EncodeImage(images)) < 1e-5);
        Assert.True(MoeTestData.MaxAbsDiff(dense.EncodeText(tokens), up.EncodeText(tokens)) < 1e-5);
    }

    [Fact]
    public void ASharedBackboneNeedsMoeInBothTowers() =>
        Assert.Contains("set Towers = Both", Assert.Throws<ArgumentException>(
            () => MoeModels.CreateShared(ClipConfig.Tiny, new MoeConfig { Towers = MoeTowers.Image }, 0)).Message);
}
