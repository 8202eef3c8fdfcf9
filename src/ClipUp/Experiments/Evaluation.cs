using ClipUp.Data;
using ClipUp.Eval;
using ClipUp.Model;
using ClipUp.Text;
using static TorchSharp.torch;

namespace ClipUp.Experiments;

/// <summary>What an evaluation measured; a part is null when it was not asked for.</summary>
public sealed record EvalResult(RetrievalMetrics? Retrieval, ZeroShotMetrics? ZeroShot, int RetrievalImages, int RetrievalCaptions);

/// <summary>Runs the evaluations an <see cref="EvalConfig"/> names on a model.</summary>
public static class Evaluation
{
    public static EvalResult Run(ClipModelBase model, EvalConfig config, Device device, ClipTokenizer? tokenizer = null)
    {
        var tok = tokenizer ?? ClipTokenizer.Default;
        Tensor Tokenize(IReadOnlyList<string> texts) => tok.Tokenize(texts, model.Config.Text.ContextLength);
        RetrievalMetrics? retrieval = null;
        int images = 0, captions = 0;
        if (config.Retrieval is { } table)
        {
            var source = new CsvImageTextSource(new DataConfig().Source(table));
            var set = RetrievalSet.FromSource(source);
            retrieval = Retrieve(model, source, set, Tokenize, device, config.BatchSize);
            images = set.Images.Count;
            captions = set.Captions.Count;
        }
        ZeroShotMetrics? zeroShot = null;
        if (config.ZeroShot is { } folder)
        {
            var source = new ImageFolderSource(folder);
            zeroShot = Classify(model, source, source.ClassNames, source.Labels, PromptTemplates.Cifar10, tok, device,
                config.BatchSize, config.ZeroShotLimit);
        }
        return new EvalResult(retrieval, zeroShot, images, captions);
    }

    /// <summary>Image↔text retrieval over a <see cref="RetrievalSet"/>.</summary>
    /// <param name="source">The table the set was built from (its rows hold the images).</param>
    public static RetrievalMetrics Retrieve(ClipModelBase model, ImageTextSource source, RetrievalSet set,
        Func<IReadOnlyList<string>, Tensor> tokenize, Device device, int batchSize = 256)
    {
        using var scope = NewDisposeScope();
        var imageEmbeds = Embedder.Images(model, new ImageTextSubset(source, set.ImageRows), device, batchSize);
        var textEmbeds = Embedder.Texts(model, set.Captions, tokenize, device, batchSize);
        return Eval.Retrieval.Compute(imageEmbeds, textEmbeds, set.CaptionToImage);
    }

    /// <summary>Zero-shot classification of a labelled image source with prompt templates.</summary>
    public static ZeroShotMetrics Classify(ClipModelBase model, ImageTextSource images, IReadOnlyList<string> classNames,
        IReadOnlyList<int> labels, IReadOnlyList<string> templates, ClipTokenizer tokenizer, Device device, int batchSize = 256, int limit = 0)
    {
        using var scope = NewDisposeScope();
        // Evenly spaced rows, so every class of a class-sorted folder stays represented under a cap.
        var rows = ModeEvalData.Spread(labels.Count, limit);
        var subset = new ImageTextSubset(images, rows);
        var embeds = Embedder.Images(model, subset, device, batchSize);
        var classifier = ZeroShotClassifier.Build(model, tokenizer, classNames, templates, device).cpu();
        return ZeroShotClassifier.Score(embeds, classifier, rows.Select(r => labels[r]).ToList());
    }
}
