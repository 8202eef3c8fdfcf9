using ClipUp.Data;
using ClipUp.Eval;
using ClipUp.Model;
using ClipUp.Text;
using static TorchSharp.torch;

namespace ClipUp.Experiments;

/// <summary>What an evaluation measured; a part is null when it was not asked for.</summary>
public sealed record EvalResult(RetrievalMetrics? Retrieval, ZeroShotMetrics? ZeroShot, int RetrievalImages, int RetrievalCaptions)
{
    /// <summary>Zero-shot accuracy per attribute column of the retrieval table (<c>eval.zero_shot_attributes</c>).</summary>
    public IReadOnlyDictionary<string, ZeroShotMetrics> Attributes { get; init; } = new Dictionary<string, ZeroShotMetrics>();

    /// <summary>
    /// Every evaluation item's rank of its correct answer (0 = first), keyed as the metrics are: <c>retrieval.text_to_image</c>,
    /// <c>retrieval.image_to_text</c>, <c>zero_shot</c>, <c>zero_shot_attributes.&lt;column&gt;</c>. Confidence intervals
    /// resample these (Stats.PairedBootstrap); every metric above is a function of them.
    /// </summary>
    public IReadOnlyDictionary<string, int[]> Ranks { get; init; } = new Dictionary<string, int[]>();
}

/// <summary>Runs the evaluations an <see cref="EvalConfig"/> names on a model.</summary>
public static class Evaluation
{
    public static EvalResult Run(ClipModelBase model, EvalConfig config, Device device, ClipTokenizer? tokenizer = null)
    {
        var tok = tokenizer ?? ClipTokenizer.Default;
        Tensor Tokenize(IReadOnlyList<string> texts) => tok.Tokenize(texts, model.Config.Text.ContextLength);
        RetrievalMetrics? retrieval = null;
        int images = 0, captions = 0;
        var ranks = new Dictionary<string, int[]>();
        var attributes = new Dictionary<string, ZeroShotMetrics>();
        if (config.Retrieval is { } table)
        {
            var source = new CsvImageTextSource(new DataConfig().Source(table));
            var set = RetrievalSet.FromSource(source);
            using (var scope = NewDisposeScope())
            {
                var imageEmbeds = Embedder.Images(model, new ImageTextSubset(source, set.ImageRows), device, config.BatchSize);
                var textEmbeds = Embedder.Texts(model, set.Captions, Tokenize, device, config.BatchSize);
                retrieval = Eval.Retrieval.Compute(imageEmbeds, textEmbeds, set.CaptionToImage);
                var r = Eval.Retrieval.Ranks(imageEmbeds, textEmbeds, set.CaptionToImage);
                ranks["retrieval.text_to_image"] = r.TextToImage;
                ranks["retrieval.image_to_text"] = r.ImageToText;
            }
            images = set.Images.Count;
            captions = set.Captions.Count;
            // Attribute columns of the same table as zero-shot tasks (fashion articleType, baseColour): classes are the
            // column's distinct values, prompts are product-style.
            foreach (var column in config.ZeroShotAttributes)
            {
                var task = ModeEvalData.ZeroShot(new ModeZeroShotTask
                {
                    Name = column, Table = table, ClassColumn = column, Templates = "product", Images = DataConfig.DefaultImageRoot(table),
                }, limit: 0);
                var (metrics, itemRanks) = ClassifyWithRanks(model, task.Images, task.ClassNames, task.Labels, task.Templates, tok, device,
                    config.BatchSize, 0);
                attributes[column] = metrics;
                ranks[$"zero_shot_attributes.{column}"] = itemRanks;
            }
        }
        ZeroShotMetrics? zeroShot = null;
        if (config.ZeroShot is { } folder)
        {
            var source = new ImageFolderSource(folder);
            (zeroShot, ranks["zero_shot"]) = ClassifyWithRanks(model, source, source.ClassNames, source.Labels, PromptTemplates.Cifar10, tok, device,
                config.BatchSize, config.ZeroShotLimit);
        }
        return new EvalResult(retrieval, zeroShot, images, captions) { Attributes = attributes, Ranks = ranks };
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
        IReadOnlyList<int> labels, IReadOnlyList<string> templates, ClipTokenizer tokenizer, Device device, int batchSize = 256, int limit = 0) =>
        ClassifyWithRanks(model, images, classNames, labels, templates, tokenizer, device, batchSize, limit).Metrics;

    /// <summary>Zero-shot accuracy and every image's rank of its true class.</summary>
    public static (ZeroShotMetrics Metrics, int[] Ranks) ClassifyWithRanks(ClipModelBase model, ImageTextSource images, IReadOnlyList<string> classNames,
        IReadOnlyList<int> labels, IReadOnlyList<string> templates, ClipTokenizer tokenizer, Device device, int batchSize = 256, int limit = 0)
    {
        using var scope = NewDisposeScope();
        // Evenly spaced rows, so every class of a class-sorted folder stays represented under a cap.
        var rows = ModeEvalData.Spread(labels.Count, limit);
        var subset = new ImageTextSubset(images, rows);
        var embeds = Embedder.Images(model, subset, device, batchSize);
        var classifier = ZeroShotClassifier.Build(model, tokenizer, classNames, templates, device).cpu();
        var kept = rows.Select(r => labels[r]).ToList();
        return (ZeroShotClassifier.Score(embeds, classifier, kept), ZeroShotClassifier.Ranks(embeds, classifier, kept));
    }
}
