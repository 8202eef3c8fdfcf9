using ClipUp.Model;
using ClipUp.Moe;
using ClipUp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Moe;

/// <summary>Seeded random inputs and comparisons shared by the MoE tests.</summary>
internal static class MoeTestData
{
    /// <summary>Images [n, 3, 32, 32] and token rows [n, 32] (start token, random words, end token at varying positions).</summary>
    public static (Tensor Images, Tensor Tokens) Batch(int n, long seed = 7)
    {
        var g = new Generator((ulong)seed);
        var images = torch.randn(n, 3, 32, 32, generator: g);
        var tokens = torch.randint(1, 1000, [n, 32], generator: g);
        tokens[.., 0] = torch.tensor(49406L);
        for (int i = 0; i < n; i++) tokens[i, 5 + i % 20] = torch.tensor(49407L);   // end-of-text = the row's largest id
        return (images, tokens);
    }

    public static double MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    public static bool Bitwise(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static float[] Floats(Tensor t) => t.detach().to(ScalarType.Float32).cpu().data<float>().ToArray();

    public static MlpSite Site(int width, int hidden, Tower tower = Tower.Image, int layer = 1, int layers = 2) =>
        new(tower, layer, layers, width, hidden, Activation.Gelu);

    /// <summary>
    /// Trains on one fixed random batch of 8 pairs with CLIP's symmetric InfoNCE plus the routing aux loss (AdamW,
    /// lr 1e-3) and returns the contrastive loss of every step.
    /// </summary>
    public static List<double> Train(ClipModelBase model, int steps, long seed = 3)
    {
        var (images, tokens) = Batch(8, seed);
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-3);
        var losses = new List<double>();
        model.train();
        for (int step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = ContrastiveLoss.Compute(model.call(images, tokens));
            var aux = Routing.Take(model).AuxLoss;
            (aux is null ? loss : loss + aux).backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        return losses;
    }
}
