using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Eval;

/// <summary>Recall@K in both directions, in percent.</summary>
public sealed record RetrievalMetrics(
    double TextToImageR1, double TextToImageR5, double TextToImageR10,
    double ImageToTextR1, double ImageToTextR5, double ImageToTextR10)
{
    public double Mean => (TextToImageR1 + TextToImageR5 + TextToImageR10 + ImageToTextR1 + ImageToTextR5 + ImageToTextR10) / 6;
}

/// <summary>Per-query ranks of the correct item (0 = retrieved first), both directions.</summary>
/// <param name="TextToImage">For each caption, the images ranked above its own.</param>
/// <param name="ImageToText">For each image, the captions ranked above its best caption.</param>
public sealed record RetrievalRanks(int[] TextToImage, int[] ImageToText);

/// <summary>
/// Image↔text retrieval with CLIP_benchmark's protocol (<c>metrics/zeroshot_retrieval.py</c>): cosine scores of
/// normalised embeddings; text→image R@K = fraction of captions whose image is among the top K images; image→text
/// R@K = fraction of images with <i>any</i> of their captions among the top K captions (several captions per image).
/// Axes: I images, N texts, E embed.
/// </summary>
public static class Retrieval
{
    /// <param name="imageEmbeds">[I, E], L2-normalised.</param>
    /// <param name="textEmbeds">[N, E], L2-normalised.</param>
    /// <param name="textToImage">For each text, the index of its image in <paramref name="imageEmbeds"/>.</param>
    public static RetrievalMetrics Compute(Tensor imageEmbeds, Tensor textEmbeds, IReadOnlyList<int> textToImage)
    {
        long images = imageEmbeds.shape[0], texts = textEmbeds.shape[0];
        if (textToImage.Count != texts)
            throw new ArgumentException($"textToImage has {textToImage.Count} entries but there are {texts} texts");
        if (textToImage.Any(i => i < 0 || i >= images))
            throw new ArgumentException($"textToImage holds an image index outside [0, {images})");
        using var scope = torch.NewDisposeScope();
        var scores = torch.matmul(textEmbeds.to(ScalarType.Float32), imageEmbeds.to(ScalarType.Float32).t()); // [N, I]
        var target = torch.tensor(textToImage.Select(i => (long)i).ToArray(), device: scores.device);         // [N]
        var positive = torch.zeros(texts, images, ScalarType.Bool, device: scores.device);
        positive[torch.arange(texts, device: scores.device), target] = torch.tensor(true);                    // [N, I]
        int[] ks = [1, 5, 10];
        double[] t2i = ks.Select(k => RecallAtK(scores, positive, k)).ToArray();
        double[] i2t = ks.Select(k => RecallAtK(scores.t(), positive.t(), k)).ToArray();
        return new RetrievalMetrics(t2i[0], t2i[1], t2i[2], i2t[0], i2t[1], i2t[2]);
    }

    /// <summary>
    /// Per-query ranks, the evaluation items a confidence interval resamples (Stats.PairedBootstrap): for each caption,
    /// how many images score above its own image; for each image, how many captions score above its best caption.
    /// R@K is the fraction of ranks below K (ties count for the query, as in <see cref="RecallAtK"/> up to tie order).
    /// </summary>
    public static RetrievalRanks Ranks(Tensor imageEmbeds, Tensor textEmbeds, IReadOnlyList<int> textToImage)
    {
        long texts = textEmbeds.shape[0];
        if (textToImage.Count != texts)
            throw new ArgumentException($"textToImage has {textToImage.Count} entries but there are {texts} texts");
        using var scope = torch.NewDisposeScope();
        var scores = torch.matmul(textEmbeds.to(ScalarType.Float32), imageEmbeds.to(ScalarType.Float32).t()); // [N, I]
        return RanksOfScores(scores, scores.t(), textToImage);
    }

    /// <summary>
    /// <see cref="Ranks(Tensor, Tensor, IReadOnlyList{int})"/> from score matrices instead of embeddings, for an ensemble
    /// whose two directions combine differently (MoDE: per-query weights for text→image, collection weights for image→text).
    /// </summary>
    /// <param name="textToImage">[N, I] scores of every image for each text.</param>
    /// <param name="imageToText">[I, N] scores of every text for each image.</param>
    public static RetrievalRanks RanksOfScores(Tensor textToImage, Tensor imageToText, IReadOnlyList<int> textToImageIndex)
    {
        long texts = textToImage.shape[0], images = textToImage.shape[1];
        if (textToImageIndex.Count != texts || imageToText.shape[0] != images || imageToText.shape[1] != texts)
            throw new ArgumentException($"expected text→image [{textToImageIndex.Count}, I] and image→text [I, {textToImageIndex.Count}] scores, got [{texts}, {images}] and [{string.Join(", ", imageToText.shape)}]");
        using var scope = torch.NewDisposeScope();
        var target = torch.tensor(textToImageIndex.Select(i => (long)i).ToArray(), device: textToImage.device);   // [N]
        var positive = torch.zeros(texts, images, ScalarType.Bool, device: textToImage.device);
        positive[torch.arange(texts, device: textToImage.device), target] = torch.tensor(true);                   // [N, I]
        return new RetrievalRanks(RanksOf(textToImage.to(ScalarType.Float32), positive), RanksOf(imageToText.to(ScalarType.Float32), positive.t()));
    }

    /// <summary>For each query row, the number of columns scoring strictly above its best positive column.</summary>
    private static int[] RanksOf(Tensor scores, Tensor positive)
    {
        var best = scores.masked_fill(positive.logical_not(), double.NegativeInfinity).amax([1], keepdim: true); // [Q, 1]
        return scores.gt(best).sum(1).to(ScalarType.Int32).cpu().data<int>().ToArray();                          // [Q]
    }

    /// <summary>Percentage of query rows with at least one positive among their top-K columns.</summary>
    public static double RecallAtK(Tensor scores, Tensor positive, int k)
    {
        int kk = (int)Math.Min(k, scores.shape[1]);
        var top = scores.topk(kk, dim: 1).indexes;                   // [Q, K]
        var hit = positive.gather(1, top).any(1);                    // [Q]
        return hit.to(ScalarType.Float64).mean().item<double>() * 100;
    }
}
