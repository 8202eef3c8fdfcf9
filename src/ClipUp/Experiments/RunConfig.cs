using ClipUp.Data;
using ClipUp.Model;
using ClipUp.Training;

namespace ClipUp.Experiments;

/// <summary>Where a run's image-text data comes from: a TSV/CSV table (open_clip CsvDataset semantics).</summary>
public sealed record DataConfig
{
    /// <summary>The training table, e.g. <c>../shared/data/flickr8k/train.tsv</c>.</summary>
    public string Train { get; init; } = "";
    /// <summary>Folder that relative image paths resolve against (default: the table's folder, then its images/).</summary>
    public string? Images { get; init; }
    public string ImageColumn { get; init; } = "image";
    public string CaptionColumn { get; init; } = "caption";
    /// <summary>Field separator of the table: a tab (open_clip's default) or ','.</summary>
    public char Separator { get; init; } = '\t';
    /// <summary>Drop an epoch's last readable samples that do not fill a batch, so every step sees batch_size samples.</summary>
    public bool DropLast { get; init; } = true;
    /// <summary>Sample one of an image's captions per epoch (small-scale.md: regularises a 5-caption set).</summary>
    public bool OneCaptionPerImage { get; init; } = true;
    public int Workers { get; init; } = 2;
    public double MaxErrorFraction { get; init; } = 0.01;

    public CsvSourceOptions Source(string path) => new(path)
    {
        ImageColumn = ImageColumn, CaptionColumn = CaptionColumn, Separator = Separator, SettingPrefix = "data.",
        ImageRoot = Images ?? DefaultImageRoot(path),
    };

    /// <summary>Our data sets keep images in an images/ folder beside the table.</summary>
    public static string DefaultImageRoot(string table)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(table))!;
        var images = Path.Combine(dir, "images");
        return Directory.Exists(images) ? images : dir;
    }
}

/// <summary>What to evaluate after training (all optional).</summary>
public sealed record EvalConfig
{
    /// <summary>A table with several captions per image (e.g. flickr8k/val.tsv) for image↔text retrieval.</summary>
    public string? Retrieval { get; init; }
    /// <summary>An ImageFolder (one sub-folder per class, e.g. cifar10/train) for zero-shot classification.</summary>
    public string? ZeroShot { get; init; }
    /// <summary>
    /// Attribute columns of the retrieval table to classify zero-shot with product prompts (fashion: articleType,
    /// baseColour); the classes are each column's distinct values.
    /// </summary>
    public IReadOnlyList<string> ZeroShotAttributes { get; init; } = [];
    /// <summary>Cap on the number of zero-shot images (0 = all).</summary>
    public int ZeroShotLimit { get; init; }
    public int BatchSize { get; init; } = 256;
}

/// <summary>
/// A training run as data: model preset, data, training hyper-parameters, evaluation, device and output folder.
/// The CLI (<c>clipup train --config run.json</c>), notebooks and experiments all run this same record.
/// </summary>
public sealed record RunConfig
{
    /// <summary>A preset name: tiny, S16-96, B32, B16, L14.</summary>
    public string Model { get; init; } = "tiny";
    /// <summary>Shorter text context than the preset's 77 (small-scale.md: Flickr8k captions fit in 32); 0 keeps it.</summary>
    public int ContextLength { get; init; }
    /// <summary>Multiplies the preset's widths and head counts (<see cref="ClipConfig.Widen"/>); 1 keeps the preset.</summary>
    public double Width { get; init; } = 1.0;
    /// <summary>
    /// MoE layers (null = dense). With <see cref="Init"/> the dense weights are upcycled into this MoE (CLIP-UP: experts
    /// copy the dense MLP, routers start fresh); without it the MoE trains from scratch.
    /// </summary>
    public Moe.MoeConfig? Moe { get; init; }
    /// <summary>Start from these weights: a ClipUp checkpoint, a Hugging Face CLIPModel folder or an open_clip .safetensors.</summary>
    public string? Init { get; init; }
    public DataConfig Data { get; init; } = new();
    public TrainConfig Train { get; init; } = new();
    public EvalConfig Eval { get; init; } = new();
    public string Device { get; init; } = "auto";
    public string Out { get; init; } = "runs/train";

    public ClipConfig ModelConfig()
    {
        var c = ClipConfig.FromPreset(Model).Widen(Width);
        return ContextLength > 0 ? c with { Text = c.Text with { ContextLength = ContextLength } } : c;
    }

    /// <summary>
    /// Settings that are valid but probably not meant: a run that would waste its steps or report nothing.
    /// <paramref name="evaluatedByCaller"/>: the caller evaluates the model itself (a MoDE stage is evaluated as part of
    /// its ensemble), so an empty eval section is meant.
    /// </summary>
    public IEnumerable<string> Warnings(bool evaluatedByCaller = false)
    {
        if (Train.WarmupSteps >= Train.Steps)
            yield return $"train.warmup_steps {Train.WarmupSteps} >= train.steps {Train.Steps}: the learning rate never reaches " +
                         $"train.learning_rate {Train.LearningRate:G3} and no cosine decay happens; lower train.warmup_steps";
        if (Eval.Retrieval is null && Eval.ZeroShot is null && !evaluatedByCaller)
            yield return "neither eval.retrieval nor eval.zero_shot is set: the run trains but its results table will be empty; " +
                         "set eval.retrieval to a held-out table (e.g. val.tsv)";
        if (Train.EvalEvery > 0 && Eval.Retrieval is null)
            yield return $"train.eval_every {Train.EvalEvery} needs eval.retrieval to pick the best checkpoint; no best.safetensors will be written";
    }

    /// <summary>Checks every value a run depends on, with messages that name the key and the fix.</summary>
    public RunConfig Validate()
    {
        ModelConfig().Validate();
        Moe?.Validate(ModelConfig());
        if (Init is { } init && !File.Exists(init) && !Directory.Exists(init))
            throw new FileNotFoundException($"init weights {init} not found: give a checkpoint file or a Hugging Face model folder", init);
        Train.Validate();
        if (string.IsNullOrWhiteSpace(Data.Train)) throw new ArgumentException("data.train is empty: give the training table (a .tsv with image and caption columns)");
        if (!File.Exists(Data.Train)) throw new FileNotFoundException($"data.train {Data.Train} not found", Data.Train);
        if (Data.Workers < 1) throw new ArgumentException($"data.workers {Data.Workers} must be >= 1");
        if (Data.MaxErrorFraction is < 0 or > 1) throw new ArgumentException($"data.max_error_fraction {Data.MaxErrorFraction} must be in [0, 1]");
        if (Eval.Retrieval is { } r && !File.Exists(r)) throw new FileNotFoundException($"eval.retrieval {r} not found", r);
        if (Eval.ZeroShotAttributes.Count > 0 && Eval.Retrieval is null)
            throw new ArgumentException("eval.zero_shot_attributes names columns of the retrieval table: set eval.retrieval too");
        if (Eval.ZeroShot is { } z && !Directory.Exists(z)) throw new DirectoryNotFoundException($"eval.zero_shot folder {z} not found");
        return this;
    }
}
