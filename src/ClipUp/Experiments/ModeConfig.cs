using System.Text.Json.Serialization;
using ClipUp.Mode;
using ClipUp.Model;
using ClipUp.Training;

namespace ClipUp.Experiments;

/// <summary>One image-caption table of the training mixture.</summary>
public sealed record ModeTable
{
    /// <summary>A TSV with <c>image</c> and <c>caption</c> columns, e.g. <c>../shared/data/fashion/train.tsv</c>.</summary>
    public string Path { get; init; } = "";
    /// <summary>Folder that relative image paths resolve against (default: the table's images/ folder, else its folder).</summary>
    public string? Images { get; init; }
    /// <summary>The domain label of its rows in the cluster report (default: the table's folder name, e.g. "fashion").</summary>
    public string? Domain { get; init; }

    [JsonIgnore]
    public string DomainName => Domain ?? System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))) ?? Path;
}

/// <summary>How captions become experts (mode.md §1).</summary>
public sealed record ModeClusteringConfig
{
    /// <summary>
    /// <c>tfidf</c> or <c>tfidf:&lt;D&gt;</c> (TF-IDF over the D most frequent words, default 512; Table 7's surface-word
    /// baseline), <c>clip-text:&lt;checkpoint&gt;</c> (a CLIP text tower; <c>clip-text:seed</c> is the seed run's final
    /// checkpoint, Table 7's "language seed"), or <c>onnx:&lt;model.onnx&gt;,&lt;vocab.txt&gt;</c> (a sentence encoder such as
    /// SimCSE, the paper's choice).
    /// </summary>
    public string Embedder { get; init; } = "tfidf";
    /// <summary>m fine clusters; 0 picks <see cref="TwoStepOptions.DefaultFineClusters"/> (paper: 1024).</summary>
    public int FineClusters { get; init; }
    /// <summary>n experts.</summary>
    public int Experts { get; init; } = 2;
    /// <summary>Rows per online k-means batch (the reference fits file by file); 0 fits all rows at once.</summary>
    public int FitBatchRows { get; init; }
    /// <summary>Seed of the k-means generator.</summary>
    public long Seed { get; init; }
}

/// <summary>A zero-shot task: an ImageFolder (<see cref="Folder"/>), or a table whose <see cref="ClassColumn"/> gives the labels.</summary>
public sealed record ModeZeroShotTask
{
    public string Name { get; init; } = "";
    /// <summary>root/&lt;class&gt;/&lt;image&gt; (e.g. cifar10/train).</summary>
    public string? Folder { get; init; }
    /// <summary>An image table with an attribute column (e.g. fashion/val.tsv).</summary>
    public string? Table { get; init; }
    public string? Images { get; init; }
    /// <summary>The table column holding each row's class (e.g. articleType); classes are its distinct values, sorted.</summary>
    public string? ClassColumn { get; init; }
    /// <summary><c>cifar10</c> (the 18 CLIP templates), <c>product</c> or <c>simple</c>.</summary>
    public string Templates { get; init; } = "simple";
}

/// <summary>An image↔text retrieval task over a table with one or more captions per image.</summary>
public sealed record ModeRetrievalTask
{
    public string Name { get; init; } = "";
    public string Table { get; init; } = "";
    public string? Images { get; init; }
}

/// <summary>What <c>clipup mode eval</c> measures and how it routes.</summary>
public sealed record ModeEvalConfig
{
    public IReadOnlyList<ModeZeroShotTask> ZeroShot { get; init; } = [];
    public IReadOnlyList<ModeRetrievalTask> Retrieval { get; init; } = [];
    /// <summary>Options of the paper's routing formula (Eqs. 5–6).</summary>
    public PaperRouting PaperRouting { get; init; } = new();
    /// <summary>Options of the released code's routing formula.</summary>
    public CodeRouting CodeRouting { get; init; } = new();
    /// <summary>A dense checkpoint to compare with; default: this pipeline's dense run when it exists.</summary>
    public string? Dense { get; init; }
    /// <summary>Cap on the images of each zero-shot task, evenly spread (0 = all).</summary>
    public int ZeroShotLimit { get; init; }
    public int BatchSize { get; init; } = 256;
}

/// <summary>
/// A MoDE experiment as data (Ma et al. 2024, mode.md §1–§3): a mixture of tables → caption embeddings → two-step
/// clustering into n experts → a dense seed trained on all rows for <see cref="SeedFraction"/> of the budget → each
/// expert continues the seed (weights, AdamW moments and LR schedule) on its cluster plus
/// <see cref="OutOfClusterRatio"/> of the rest → routed ensemble evaluation. <see cref="Train"/> is the budget of
/// one dense run: its Steps is the paper's 32 epochs, its schedule is shared by seed, experts and the dense baseline.
/// Everything is written under <see cref="Out"/> (layout: <see cref="ModePaths"/>).
/// </summary>
public sealed record ModeConfig
{
    public IReadOnlyList<ModeTable> Tables { get; init; } = [];
    public ModeClusteringConfig Clustering { get; init; } = new();
    /// <summary>Fraction of <c>Train.Steps</c> the seed runs on all data (paper 27/32 = 0.84375).</summary>
    public double SeedFraction { get; init; } = 27.0 / 32;
    /// <summary>Fraction of the out-of-cluster rows each expert also trains on (the reference's ooc_ratio = 0.02).</summary>
    public double OutOfClusterRatio { get; init; } = ExpertDataSampler.ReferenceOutOfClusterRatio;
    /// <summary>Also continue the seed on all rows to the full budget: the dense baseline (MoDE-1) at equal steps.</summary>
    public bool DenseBaseline { get; init; } = true;
    public string Model { get; init; } = "tiny";
    /// <summary>Text context length (0 keeps the preset's).</summary>
    public int ContextLength { get; init; }
    public TrainConfig Train { get; init; } = new();
    public bool OneCaptionPerImage { get; init; } = true;
    public int Workers { get; init; } = 2;
    public double MaxErrorFraction { get; init; } = 0.01;
    public ModeEvalConfig Eval { get; init; } = new();
    public string Device { get; init; } = "auto";
    public string Out { get; init; } = "runs/mode";
    /// <summary>
    /// Folder of the seed/ and dense/ runs when not <see cref="Out"/>: pipelines of one mixture, budget and seed that
    /// differ only in clustering or split train the seed once (mode.md §2: every expert forks the same seed).
    /// </summary>
    public string? SharedRuns { get; init; }
    /// <summary>
    /// Which rows each expert continues on: <c>clusters</c> (MoDE), <c>random</c> (Table 5's Random-n: a seeded random
    /// split with the clusters' sizes) or <c>full</c> (Table 5's Full-n: every expert on all rows, each in its own order).
    /// </summary>
    public string Split { get; init; } = "clusters";

    /// <summary>Steps of the seed: round(SeedFraction · Train.Steps).</summary>
    [JsonIgnore]
    public int SeedSteps => (int)Math.Round(SeedFraction * Train.Steps, MidpointRounding.AwayFromZero);

    /// <summary>Steps each expert adds to the seed.</summary>
    [JsonIgnore]
    public int ExpertSteps => Train.Steps - SeedSteps;

    [JsonIgnore]
    public ModePaths Paths => new(Out, SharedRuns);

    /// <summary>The training schedule in steps, for <see cref="CostModel"/>.</summary>
    [JsonIgnore]
    public ModeSchedule Schedule => new(SeedSteps, ExpertSteps, Train.Steps);

    public ClipConfig ModelConfig() => new RunConfig { Model = Model, ContextLength = ContextLength }.ModelConfig();

    /// <summary>Checks every value the pipeline depends on, with messages that name the key and the fix.</summary>
    public ModeConfig Validate()
    {
        ModelConfig().Validate();
        Train.Validate();
        if (Tables.Count == 0) throw new ArgumentException("tables is empty: list the training tables to mix, e.g. [{\"path\": \"flickr8k/train.tsv\"}]");
        foreach (var t in Tables)
            if (!File.Exists(t.Path)) throw new FileNotFoundException($"tables: {t.Path} not found", t.Path);
        var domains = Tables.Select(t => t.DomainName).ToList();
        if (domains.Distinct().Count() != domains.Count)
            throw new ArgumentException($"tables have repeated domain names [{string.Join(", ", domains)}]: give each table a distinct \"domain\"");
        if (Clustering.Experts < 1) throw new ArgumentException($"clustering.experts {Clustering.Experts} must be at least 1");
        if (Clustering.FineClusters != 0 && Clustering.FineClusters < Clustering.Experts)
            throw new ArgumentException($"clustering.fine_clusters {Clustering.FineClusters} is below experts {Clustering.Experts}: use fine_clusters >= experts (paper: 1024), or 0 for the default");
        if (Clustering.FitBatchRows < 0) throw new ArgumentException($"clustering.fit_batch_rows {Clustering.FitBatchRows} must be >= 0 (0 = all rows at once)");
        if (!(SeedFraction > 0 && SeedFraction < 1) || SeedSteps < 1 || ExpertSteps < 1)
            throw new ArgumentException($"seed_fraction {SeedFraction} of train.steps {Train.Steps} gives {SeedSteps} seed and {ExpertSteps} expert steps: both must be >= 1 (paper: 27/32 = 0.84375)");
        if (!(OutOfClusterRatio >= 0 && OutOfClusterRatio <= 1))
            throw new ArgumentException($"out_of_cluster_ratio {OutOfClusterRatio} must be in [0, 1] (reference: 0.02)");
        if (Split is not ("clusters" or "random" or "full"))
            throw new ArgumentException($"split '{Split}' is unknown: use clusters (MoDE), random (Random-n) or full (Full-n)");
        if (Workers < 1) throw new ArgumentException($"workers {Workers} must be >= 1");
        if (MaxErrorFraction is < 0 or > 1) throw new ArgumentException($"max_error_fraction {MaxErrorFraction} must be in [0, 1]");
        Eval.PaperRouting.Validate();
        Eval.CodeRouting.Validate();
        foreach (var z in Eval.ZeroShot)
        {
            if (string.IsNullOrWhiteSpace(z.Name)) throw new ArgumentException("eval.zero_shot: every task needs a name");
            if ((z.Folder is null) == (z.Table is null))
                throw new ArgumentException($"eval.zero_shot {z.Name}: give either folder (an ImageFolder) or table + class_column");
            if (z.Table is not null && string.IsNullOrWhiteSpace(z.ClassColumn))
                throw new ArgumentException($"eval.zero_shot {z.Name}: table {z.Table} needs class_column (e.g. articleType)");
            ModeEvalData.TemplatesOf(z);
        }
        foreach (var r in Eval.Retrieval)
            if (string.IsNullOrWhiteSpace(r.Name) || string.IsNullOrWhiteSpace(r.Table))
                throw new ArgumentException("eval.retrieval: every task needs a name and a table");
        return this;
    }

    /// <summary>
    /// The paper-like mixture of the shared data: Flickr8k + fashion train, 2 experts, zero-shot CIFAR-10 and fashion
    /// articleType, retrieval on both val splits. <paramref name="data"/> is the shared data folder. The training
    /// settings are the quickstart's tiny-CLIP recipe scaled to ~3 epochs of the 42k captions, a starting point, not tuned.
    /// </summary>
    public static ModeConfig SharedMixture(string data) => new()
    {
        ContextLength = 32,
        Train = new TrainConfig { Steps = 2000, BatchSize = 64, LearningRate = 2e-3, WarmupSteps = 100, CheckpointEvery = 200 },
        Tables = [new ModeTable { Path = System.IO.Path.Combine(data, "flickr8k", "train.tsv") },
                  new ModeTable { Path = System.IO.Path.Combine(data, "fashion", "train.tsv") }],
        Eval = new ModeEvalConfig
        {
            ZeroShot = [new ModeZeroShotTask { Name = "cifar10", Folder = System.IO.Path.Combine(data, "cifar10", "train"), Templates = "cifar10" },
                        new ModeZeroShotTask { Name = "fashion-articleType", Table = System.IO.Path.Combine(data, "fashion", "val.tsv"), ClassColumn = "articleType", Templates = "product" }],
            Retrieval = [new ModeRetrievalTask { Name = "flickr8k-val", Table = System.IO.Path.Combine(data, "flickr8k", "val.tsv") },
                         new ModeRetrievalTask { Name = "fashion-val", Table = System.IO.Path.Combine(data, "fashion", "val.tsv") }],
        },
    };
}
