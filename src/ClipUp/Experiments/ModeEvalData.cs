using ClipUp.Data;
using ClipUp.Eval;

namespace ClipUp.Experiments;

/// <summary>A loaded zero-shot task: its images (capped), class names, one label per image, prompt templates.</summary>
/// <summary>A retrieval task's images (one row per distinct image) and its ground truth.</summary>
public sealed record RetrievalData(ImageTextSubset Images, RetrievalSet Set)
{
    public IReadOnlyList<string> Captions => Set.Captions;
}

public sealed record ZeroShotData(string Name, ImageTextSource Images, IReadOnlyList<string> ClassNames, IReadOnlyList<int> Labels,
    IReadOnlyList<string> Templates);

/// <summary>Reads the evaluation tasks of a <see cref="ModeEvalConfig"/>.</summary>
public static class ModeEvalData
{
    /// <summary>The templates a task names: cifar10 (18 CLIP prompts), product, simple.</summary>
    public static IReadOnlyList<string> TemplatesOf(ModeZeroShotTask task) => task.Templates switch
    {
        "cifar10" => PromptTemplates.Cifar10,
        "product" => PromptTemplates.Product,
        "simple" => PromptTemplates.Simple,
        _ => throw new ArgumentException($"eval.zero_shot {task.Name}: templates '{task.Templates}' is unknown; use cifar10, product or simple"),
    };

    /// <summary>
    /// An ImageFolder, or a table whose class column gives the labels (classes = its distinct values in ordinal order).
    /// With <paramref name="limit"/> &gt; 0 only that many images are kept, evenly spread as <see cref="Evaluation.Classify"/> does.
    /// </summary>
    public static ZeroShotData ZeroShot(ModeZeroShotTask task, int limit)
    {
        ImageTextSource source;
        IReadOnlyList<string> classes;
        IReadOnlyList<int> labels;
        if (task.Folder is { } folder)
        {
            var images = new ImageFolderSource(folder);
            (source, classes, labels) = (images, images.ClassNames, images.Labels);
        }
        else
        {
            var table = new CsvImageTextSource(new CsvSourceOptions(task.Table!) { ImageRoot = task.Images ?? DataConfig.DefaultImageRoot(task.Table!) });
            var column = task.ClassColumn!;
            var values = Enumerable.Range(0, table.Count).Select(i => table[i].Attributes.TryGetValue(column, out var v)
                ? v : throw new InvalidDataException($"eval.zero_shot {task.Name}: {task.Table} has no column '{column}'")).ToArray();
            classes = values.Distinct().Order(StringComparer.Ordinal).ToArray();
            var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
            (source, labels) = (table, values.Select(v => index[v]).ToArray());
        }
        var rows = Spread(labels.Count, limit);
        return new ZeroShotData(task.Name, new ImageTextSubset(source, rows), classes, rows.Select(r => labels[r]).ToArray(), TemplatesOf(task));
    }

    /// <summary>Distinct images (as a view of the table's rows), every caption, and each caption's image.</summary>
    public static RetrievalData Retrieval(ModeRetrievalTask task)
    {
        var source = new CsvImageTextSource(new CsvSourceOptions(task.Table) { ImageRoot = task.Images ?? DataConfig.DefaultImageRoot(task.Table) });
        var set = RetrievalSet.FromSource(source);
        return new RetrievalData(new ImageTextSubset(source, set.ImageRows), set);
    }

    /// <summary>Rows ⌊i·count/limit⌋ for i &lt; limit (all rows when limit is 0 or not below count).</summary>
    public static int[] Spread(int count, int limit) =>
        limit <= 0 || limit >= count
            ? Enumerable.Range(0, count).ToArray()
            : Enumerable.Range(0, limit).Select(i => (int)((long)i * count / limit)).ToArray();
}
