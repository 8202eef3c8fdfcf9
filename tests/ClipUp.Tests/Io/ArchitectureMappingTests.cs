using ClipUp.Io;
using ClipUp.Model;

namespace ClipUp.Tests.Io;

/// <summary>The Io layer's architecture record and the model's config describe the same models, and Io's key list is the model's.</summary>
public class ArchitectureMappingTests
{
    [Theory]
    [InlineData("tiny")]
    [InlineData("B16")]
    public void IoKeysAndShapesAreExactlyTheModelsStateDict(string preset)
    {
        var config = ClipConfig.FromPreset(preset);
        using var model = new ClipModel(config);
        var arch = ArchitectureMapping.ToArchitecture(config);

        var modelShapes = model.state_dict().ToDictionary(p => p.Key, p => string.Join(",", p.Value.shape));
        var ioKeys = WeightMaps.OpenAiKeys(BlockLayout.Of(arch));
        var ioShapes = ClipShapes.OpenAi(arch).ToDictionary(e => e.Key, e => string.Join(",", e.Shape));

        Assert.Equal(modelShapes.Keys.Order(StringComparer.Ordinal), ioKeys.Order(StringComparer.Ordinal));
        Assert.Equal(modelShapes.OrderBy(p => p.Key, StringComparer.Ordinal), ioShapes.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("S16-96")]
    [InlineData("B32")]
    [InlineData("B16")]
    [InlineData("L14")]
    public void EveryPresetMapsToAnArchitectureAndBackUnchanged(string preset)
    {
        var config = ClipConfig.FromPreset(preset);
        var arch = ArchitectureMapping.ToArchitecture(config);

        Assert.Equal(config, ArchitectureMapping.ToConfig(arch));
        Assert.Equal(config.Vision.MlpHidden, arch.Vision.MlpHidden);
        Assert.Equal(config.Activation == Activation.QuickGelu, arch.Activation == ClipActivation.QuickGelu);
    }

    [Fact]
    public void TheB16ArchitectureIsOpenAisViTB16()
    {
        // HF's openai/clip-vit-base-patch16 config: vision 768 × 12, 12 heads, MLP 3072; text 512 × 12, 8 heads, MLP 2048.
        Assert.Equal(TinyStateDicts.B16, ArchitectureMapping.ToArchitecture(ClipConfig.B16));
    }

    [Fact]
    public void AnMlpHiddenSizeThatDoubleDivisionRoundsDownStillMapsExactly()
    {
        // 960 / 704 in double times 704 is 959.999…, so a plain ratio would build a 959-wide MLP.
        var arch = TinyStateDicts.Dense with { Vision = new VisionArchitecture(16, 8, 704, 1, 11, 960) };

        var config = ArchitectureMapping.ToConfig(arch);

        Assert.NotEqual(960, (int)(704 * (960.0 / 704)));
        Assert.Equal(960, config.Vision.MlpHidden);
        Assert.Equal(arch, ArchitectureMapping.ToArchitecture(config));
    }

    [Fact]
    public void AnMoeArchitectureIsRefusedWithItsLayout()
    {
        var e = Assert.Throws<NotSupportedException>(() => ArchitectureMapping.ToConfig(TinyStateDicts.Moe, "moe.safetensors"));

        Assert.Contains("moe.safetensors is an MoE model (4 experts, top-2, vision blocks [1], text blocks [1])", e.Message);
    }

    [Fact]
    public void WhatTheModelCannotBuildIsRefusedWithTheValue()
    {
        var arch = TinyStateDicts.Dense with { Text = TinyStateDicts.Dense.Text with { ContextLength = 1 } };

        var e = Assert.Throws<ArgumentException>(() => ArchitectureMapping.ToConfig(arch, "x.safetensors"));

        Assert.Contains("x.safetensors: ClipUp's model cannot be built", e.Message);
        Assert.Contains("ContextLength 1 must be at least 2", e.Message);
    }

    [Theory]
    [InlineData("gelu", ClipActivation.Gelu)]
    [InlineData("quick_gelu", ClipActivation.QuickGelu)]
    [InlineData("QuickGelu", ClipActivation.QuickGelu)]
    [InlineData("quick-gelu", ClipActivation.QuickGelu)]
    public void ActivationsAreReadInHfAndClipUpSpelling(string name, ClipActivation expected) =>
        Assert.Equal(expected, ArchitectureMapping.ParseActivation(name));

    [Fact]
    public void AnUnknownActivationNamesTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => ArchitectureMapping.ParseActivation("relu"));
        Assert.Contains("unknown activation 'relu': use gelu", e.Message);
    }
}
