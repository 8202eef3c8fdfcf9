using ClipUp.Model;
using ClipUp.Moe;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Moe;

public class TokenMaskTests
{
    [Fact]
    public void TextPaddingIsNotRoutedSoAnUpcycledModelEqualsItsDenseModelAtCapacityFactorTwo()
    {
        // Context 32, captions of 16 positions (start, 14 distinct words, end): 16 identical padding positions per row.
        // Routed, the padding would all pick the same experts: with E = 8, top-2, CF 2 the capacity is 2·T·2/8 = T/2,
        // and padding alone is T/2, so it fills an expert and pushes real tokens of later rows over capacity. Only the
        // positions up to the end token are routed; among them only start and end repeat (2/16 of T), so nothing drops.
        using var dense = new ClipModel(ClipConfig.Tiny, seed: 3);
        using var moe = Upcycler.Upcycle(dense, new MoeConfig { NumExperts = 8, TopK = 2, TrainCapacityFactor = 2, EvalCapacityFactor = 2 }, seed: 4);
        dense.eval(); moe.eval();
        var tokens = torch.zeros(6, 32, ScalarType.Int64);
        for (int b = 0; b < 6; b++)
        {
            tokens[b, 0] = torch.tensor(49406L);
            for (int i = 1; i <= 14; i++) tokens[b, i] = torch.tensor(1000L + 37 * b + 5 * i);
            tokens[b, 15] = torch.tensor(49407L);
        }
        using var _ = torch.no_grad();
        var diff = (dense.EncodeText(tokens) - moe.EncodeText(tokens)).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"max abs diff {diff}");
        var reports = Routing.Take(moe).Reports.Where(r => r.Tower == Tower.Text).ToList();
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal(0f, r.DroppedTokens.item<float>()));
        Assert.All(reports, r => Assert.Equal(6 * 16, r.Tokens));   // only the 16 positions up to the end token
    }
}
