using ClipUp.Model;
using ClipUp.Moe;

namespace ClipUp.Tests.Moe;

public class FlopsTests
{
    [Theory]
    // open_clip docs/model_profile.csv (GFLOPs): ViT-B-32 14.78; ViT-B-16 41.09 = image 35.13 + text 5.96;
    // ViT-L-14 175.33 = image 162.03 + text 13.3.
    [InlineData("B32", 14.78, double.NaN, double.NaN)]
    [InlineData("B16", 41.09, 35.13, 5.96)]
    [InlineData("L14", 175.33, 162.03, 13.3)]
    public void DenseFlopsMatchOpenClipsProfileWithinTwoPercent(string preset, double total, double image, double text)
    {
        // Ours: B/32 14.777; B/16 35.127 + 5.960 = 41.086; L/14 162.026 + 13.300 = 175.325, all within 0.1% (the
        // profile rounds to 2 decimals), well inside the 2% the issue asks for.
        const double tolerance = 0.001;
        var flops = Flops.Forward(ClipConfig.FromPreset(preset));
        Assert.InRange(flops.Total / 1e9, total * (1 - tolerance), total * (1 + tolerance));
        if (!double.IsNaN(image)) Assert.InRange(flops.Image / 1e9, image * (1 - tolerance), image * (1 + tolerance));
        if (!double.IsNaN(text)) Assert.InRange(flops.Text / 1e9, text * (1 - tolerance), text * (1 + tolerance));
    }

    [Fact]
    public void EachActiveExpertAddsOneMlpPerTokenInEachMoeLayer()
    {
        // B/16, top-2, every other layer of both towers: 6 MoE layers per tower, one extra MLP (4·N·D·F = 16·N·D²) each:
        // image 6 · 16 · 197 · 768² = 11.155 G, text 6 · 16 · 77 · 512² = 1.938 G; router 2·N·D·E per MoE layer.
        var clip = ClipConfig.B16;
        var moe = new MoeConfig { NumExperts = 8, TopK = 2 };
        var dense = Flops.Forward(clip);
        var sparse = Flops.Forward(clip, moe, includeRouter: false);
        Assert.Equal(6 * 16.0 * 197 * 768 * 768, sparse.Image - dense.Image, 1);
        Assert.Equal(6 * 16.0 * 77 * 512 * 512, sparse.Text - dense.Text, 1);
        var withRouter = Flops.Forward(clip, moe);
        Assert.Equal(6 * 2.0 * 197 * 768 * 8 + 6 * 2.0 * 77 * 512 * 8, withRouter.Total - sparse.Total, 1);
        // clip-up.md §1.2: MoE-B/16 ≈ 31% of dense L/14's FLOPs ("30% of the inference FLOPs").
        Assert.InRange(sparse.Total / Flops.Forward(ClipConfig.L14).Total, 0.29, 0.32);
    }

    [Fact]
    public void ParameterCountsOfBuiltModelsMatchTheAnalyticEstimate()
    {
        var moe = new MoeConfig { NumExperts = 4, TopK = 2 };
        using var model = MoeModels.Create(ClipConfig.Tiny, moe, seed: 1);
        Assert.Equal(MoeParameters.Estimate(ClipConfig.Tiny, moe), MoeParameters.Of(model));
        using var shared = MoeModels.CreateShared(ClipConfig.Tiny, moe, seed: 1);
        Assert.Equal(MoeParameters.Estimate(ClipConfig.Tiny, moe, shared: true), MoeParameters.Of(shared));
        using var dense = new ClipModel(ClipConfig.Tiny);
        var denseCount = MoeParameters.Of(dense);
        Assert.Equal(denseCount.Total, denseCount.Active);
        Assert.Equal(MoeParameters.Estimate(ClipConfig.Tiny), denseCount);
        // Active = total − (E − K)/E of the expert weights: each tiny MoE layer has 4 experts of 2·64·256 + 256 + 64 = 33,088.
        var count = MoeParameters.Of(model);
        Assert.Equal(2 * 2 * 33_088L, count.Total - count.Active);          // 2 MoE layers (block 1 of each tower) × (4 − 2) experts
    }

    [Fact]
    public void ClipUpB16HasTheTotalAndActiveParametersOfTheDerivedTable()
    {
        // OpenAI B/32 has 151,277,313 parameters; clip-up.md §1.2 derives MoE-B/16 (E = 8, top-2, every other layer)
        // at ≈ 437M total / 191M active.
        Assert.Equal(151_277_313L, MoeParameters.Estimate(ClipConfig.B32).Total);
        var moe = MoeParameters.Estimate(ClipConfig.B16, new MoeConfig());
        Assert.InRange(moe.Total / 1e6, 436, 438);
        Assert.InRange(moe.Active / 1e6, 190, 192);
    }
}
