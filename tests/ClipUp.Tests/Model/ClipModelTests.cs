using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Model;

public class ClipModelTests
{
    [Theory]
    // OpenAI CLIP parameter counts (open_clip docs/model_profile.csv): 151.28M, 149.62M, 427.62M.
    [InlineData("B32", 151_277_313)]
    [InlineData("B16", 149_620_737)]
    [InlineData("L14", 427_616_513)]
    public void OpenAiPresetsHaveOpenAiParameterCounts(string preset, long expected)
    {
        using var model = new ClipModel(ClipConfig.FromPreset(preset));
        long count = ParameterCount.Of(model).Total;
        Assert.InRange(count, expected * 0.999, expected * 1.001);
        Assert.Equal(expected, count);
    }
}

public class ClipModelShapeTests
{
    [Fact]
    public void ForwardReturnsNormalisedEmbeddingsAndTheClampedTemperature()
    {
        using var model = new ClipModel(ClipConfig.Tiny);
        var images = TorchSharp.torch.randn(3, 3, 32, 32);
        var tokens = TorchSharp.torch.zeros(3, 32, TorchSharp.torch.ScalarType.Int64);
        tokens[.., 0] = TorchSharp.torch.tensor(49406L);
        tokens[.., 5] = TorchSharp.torch.tensor(49407L);
        var output = model.call(images, tokens);
        Assert.Equal(new long[] { 3, 64 }, output.ImageEmbeds.shape);
        Assert.Equal(new long[] { 3, 64 }, output.TextEmbeds.shape);
        Assert.True(TorchSharp.torch.allclose(output.ImageEmbeds.norm(1), TorchSharp.torch.ones(3), 1e-5, 1e-5));
        Assert.Equal(1 / 0.07, output.LogitScale.item<float>(), 3);
    }

    [Fact]
    public void WrongImageSizeIsRejectedWithTheExpectedShape()
    {
        using var model = new ClipModel(ClipConfig.Tiny);
        var e = Assert.Throws<ArgumentException>(() => model.EncodeImage(TorchSharp.torch.zeros(2, 3, 64, 64)));
        Assert.Contains("[B, 3, 32, 32]", e.Message);
        Assert.Contains("[2, 3, 64, 64]", e.Message);
    }

    [Fact]
    public void TextPoolingReadsTheEndOfTextPositionOnly()
    {
        // With a causal mask, changing tokens after the end-of-text token must not change the text embedding.
        using var model = new ClipModel(ClipConfig.Tiny);
        var a = TorchSharp.torch.zeros(1, 32, TorchSharp.torch.ScalarType.Int64);
        a[0, 0] = TorchSharp.torch.tensor(49406L); a[0, 1] = TorchSharp.torch.tensor(320L); a[0, 2] = TorchSharp.torch.tensor(49407L);
        var b = a.clone();
        b[0, 10] = TorchSharp.torch.tensor(1125L);
        Assert.True(TorchSharp.torch.allclose(model.EncodeText(a), model.EncodeText(b), 1e-6, 1e-6));
    }

    [Theory]
    [InlineData(30, 8, "not a multiple of PatchSize")]
    [InlineData(32, 8, "not divisible by Heads", 3)]
    public void ImpossibleShapesAreRejectedAtConstruction(int image, int patch, string message, int heads = 4)
    {
        var cfg = ClipConfig.Tiny with { Vision = ClipConfig.Tiny.Vision with { ImageSize = image, PatchSize = patch, Heads = heads } };
        var e = Assert.Throws<ArgumentException>(() => new ClipModel(cfg));
        Assert.Contains(message, e.Message);
    }
}

public class ClipInitTests
{
    [Fact]
    public void TheSameSeedBuildsTheSameModelAndAnotherSeedDoesNot()
    {
        using var a = new ClipModel(ClipConfig.Tiny, seed: 5);
        using var b = new ClipModel(ClipConfig.Tiny, seed: 5);
        using var c = new ClipModel(ClipConfig.Tiny, seed: 6);
        var sb = b.state_dict();
        var sc = c.state_dict();
        foreach (var (name, t) in a.state_dict())
            Assert.True(t.eq(sb[name]).all().item<bool>(), $"{name} differs between two models of seed 5");
        Assert.False(a.visual.proj.eq(c.visual.proj).all().item<bool>(), "seeds 5 and 6 gave the same projection");
        Assert.False(a.transformer.resblocks[0].attn.in_proj_weight.eq(c.transformer.resblocks[0].attn.in_proj_weight).all().item<bool>());
    }
}
