using ClipUp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Training;

public class AdamWTests
{
    [Fact]
    public void OurAdamWMatchesTorchSharpsAdamWStepForStep()
    {
        var gen = new Generator(7);
        var init = torch.randn(5, 3, generator: gen);
        var grads = Enumerable.Range(0, 4).Select(_ => torch.randn(5, 3, generator: gen)).ToArray();

        var ours = init.clone().requires_grad_(true);
        var theirs = nn.Parameter(init.clone());
        using var adam = new AdamW([new OptimizedParameter("w", ours, Decay: true)], 0.9, 0.98, 1e-6, weightDecay: 0.2);
        var reference = torch.optim.AdamW([theirs], lr: 0.01, beta1: 0.9, beta2: 0.98, eps: 1e-6, weight_decay: 0.2);
        foreach (var g in grads)
        {
            ours.grad = g.clone();
            theirs.grad = g.clone();
            adam.Step(0.01);
            reference.step();
        }
        Assert.True(torch.allclose(ours, theirs, rtol: 1e-5, atol: 1e-7), $"max diff {(ours - theirs).abs().max().item<float>()}");
    }

    [Fact]
    public void ParametersWithoutDecayAreOnlyMovedByTheirGradient()
    {
        var p = torch.ones(3).requires_grad_(true);
        using var adam = new AdamW([new OptimizedParameter("ln_final.bias", p, Decay: false)], weightDecay: 0.5);
        p.grad = torch.zeros(3);
        adam.Step(0.1);
        Assert.Equal(new float[] { 1, 1, 1 }, p.data<float>().ToArray());
    }

    [Theory]
    [InlineData("visual.transformer.resblocks.0.mlp.c_fc.weight", 2, true)]
    [InlineData("visual.transformer.resblocks.0.mlp.experts.c_fc_weight", 3, true)]
    [InlineData("visual.transformer.resblocks.0.mlp.c_fc.bias", 1, false)]
    [InlineData("visual.ln_post.weight", 1, false)]
    [InlineData("token_embedding.weight", 2, false)]
    [InlineData("positional_embedding", 2, false)]
    [InlineData("visual.class_embedding", 1, false)]
    [InlineData("logit_scale", 0, false)]
    public void WeightDecaySkipsGainsBiasesEmbeddingsAndTheTemperature(string name, long rank, bool decays) =>
        Assert.Equal(decays, ParameterGroups.Decays(name, rank));
}
