using ClipUp.Model;
using ClipUp.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Eval;

/// <summary>Top-1 and top-5 accuracy in percent.</summary>
public sealed record ZeroShotMetrics(double Top1, double Top5, int Samples);

/// <summary>
/// CLIP zero-shot classification: each class's weight is the normalised mean of its normalised template embeddings
/// (open_clip <c>build_zero_shot_classifier</c>); an image's prediction is the class with the largest cosine score.
/// Axes: C classes, P templates, E embed.
/// </summary>
public static class ZeroShotClassifier
{
    /// <summary>Classifier weights [E, C] for <paramref name="classNames"/> × <paramref name="templates"/>.</summary>
    public static Tensor Build(ClipModelBase model, ClipTokenizer tokenizer, IReadOnlyList<string> classNames,
        IReadOnlyList<string> templates, Device device)
    {
        if (classNames.Count == 0) throw new ArgumentException("zero-shot classification needs at least one class name");
        if (templates.Count == 0) throw new ArgumentException("zero-shot classification needs at least one prompt template");
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var weights = new List<Tensor>();
        foreach (var name in classNames)
        {
            var prompts = templates.Select(t => PromptTemplates.Fill(t, name)).ToList();
            var tokens = tokenizer.Tokenize(prompts, model.Config.Text.ContextLength).to(device);
            var emb = nn.functional.normalize(model.EncodeText(tokens).to(ScalarType.Float32), dim: -1);  // [P, E]
            weights.Add(nn.functional.normalize(emb.mean([0]), dim: -1));                               // [E]
        }
        return torch.stack(weights, dim: 1).MoveToOuterDisposeScope();                                  // [E, C]
    }

    /// <summary>For each image, the number of classes scoring strictly above its true class (0 = correct top-1).</summary>
    public static int[] Ranks(Tensor imageEmbeds, Tensor classifier, IReadOnlyList<int> labels)
    {
        if (imageEmbeds.shape[0] != labels.Count)
            throw new ArgumentException($"{imageEmbeds.shape[0]} image embeddings but {labels.Count} labels");
        using var scope = torch.NewDisposeScope();
        return RanksOfLogits(torch.matmul(imageEmbeds.to(ScalarType.Float32), classifier.to(imageEmbeds.device)), labels);   // [N, C]
    }

    /// <summary>For each row of logits [N, C], the number of classes scoring strictly above its true class.</summary>
    public static int[] RanksOfLogits(Tensor logits, IReadOnlyList<int> labels)
    {
        if (logits.dim() != 2 || logits.shape[0] != labels.Count)
            throw new ArgumentException($"logits must be [{labels.Count}, C] for {labels.Count} labels, got [{string.Join(", ", logits.shape)}]");
        using var scope = torch.NewDisposeScope();
        var target = torch.tensor(labels.Select(l => (long)l).ToArray(), device: logits.device);
        var own = logits.gather(1, target.unsqueeze(1));                                                 // [N, 1]
        return logits.gt(own).sum(1).to(ScalarType.Int32).cpu().data<int>().ToArray();
    }

    /// <summary>Accuracy of normalised image embeddings [N, E] against labels, with classifier [E, C].</summary>
    public static ZeroShotMetrics Score(Tensor imageEmbeds, Tensor classifier, IReadOnlyList<int> labels)
    {
        if (imageEmbeds.shape[0] != labels.Count)
            throw new ArgumentException($"{imageEmbeds.shape[0]} image embeddings but {labels.Count} labels");
        using var scope = torch.NewDisposeScope();
        var logits = torch.matmul(imageEmbeds.to(ScalarType.Float32), classifier.to(imageEmbeds.device));   // [N, C]
        var target = torch.tensor(labels.Select(l => (long)l).ToArray(), device: logits.device);
        int k = (int)Math.Min(5, logits.shape[1]);
        var topk = logits.topk(k, dim: 1).indexes;                                                       // [N, k]
        var correct = topk.eq(target.unsqueeze(1));                                                      // [N, k]
        double top1 = correct[.., 0].to(ScalarType.Float64).mean().item<double>() * 100;
        double top5 = correct.any(1).to(ScalarType.Float64).mean().item<double>() * 100;
        return new ZeroShotMetrics(top1, top5, labels.Count);
    }
}
