using System.Text.Json.Nodes;
using ClipUp.Data;
using ClipUp.Model;
using ClipUp.Plots;
using ClipUp.Training;

namespace ClipUp.Experiments;

/// <summary>The quickstart's knobs; the defaults fit a few minutes on 2 CPU cores.</summary>
public sealed record QuickstartOptions
{
    public string Out { get; init; } = "runs/quickstart";
    public string Device { get; init; } = "auto";
    public int TrainImages { get; init; } = 2000;
    public int ValImages { get; init; } = 200;
    /// <summary>Steps of the dense run.</summary>
    public int DenseSteps { get; init; } = 250;
    /// <summary>Extra steps given to each continuation (dense-continued and upcycled MoE).</summary>
    public int ContinueSteps { get; init; } = 150;
    public int BatchSize { get; init; } = 64;
    public long Seed { get; init; }
}

/// <summary>One row of the quickstart's comparison.</summary>
public sealed record QuickstartRow(string Name, string Description, int Steps, ParameterCount Parameters, EvalResult Eval, string RunDir);

/// <summary>A phase of the quickstart that started or finished: <c>data</c>, a run's name (training and its evaluation).</summary>
public sealed record QuickstartPhase(string Name, bool Done);

/// <summary>What the quickstart produced.</summary>
public sealed record QuickstartResult(IReadOnlyList<QuickstartRow> Rows, string ReportPath);

/// <summary>
/// The main job on an embedded default (README): generate the synthetic shapes set, train a tiny dense CLIP on it,
/// evaluate, then continue it two ways for the same extra steps (dense, and upcycled to an MoE when available) and
/// write a self-contained HTML report with loss and temperature curves and the results table.
/// </summary>
public static class Quickstart
{
    public static QuickstartResult Run(QuickstartOptions options, IProgress<(string Run, TrainProgress Progress)>? progress = null,
        Func<ClipModelBase, (string Name, string Description, ClipModelBase Model, Func<ClipModelBase, StepAux?>? Aux)?>? upcycle = null,
        IProgress<QuickstartPhase>? phases = null)
    {
        var data = Path.Combine(options.Out, "data");
        phases?.Report(new QuickstartPhase("data", Done: false));
        if (!File.Exists(Path.Combine(data, "val.tsv")))
        {
            SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(options.TrainImages) { Seed = (int)options.Seed + 1 }), data, "train.tsv");
            SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(options.ValImages) { Seed = (int)options.Seed + 2 }), data, "val.tsv", firstIndex: 100_000);
        }
        phases?.Report(new QuickstartPhase("data", Done: true));
        var baseConfig = new RunConfig
        {
            Model = "tiny", ContextLength = 16, Device = options.Device,
            Data = new DataConfig { Train = Path.Combine(data, "train.tsv") },
            Train = new TrainConfig { Steps = options.DenseSteps, BatchSize = options.BatchSize, LearningRate = 2e-3, WarmupSteps = 20, LogEvery = 10, Seed = options.Seed },
            Eval = new EvalConfig { Retrieval = Path.Combine(data, "val.tsv") },
        };
        var rows = new List<QuickstartRow>();
        IProgress<TrainProgress> For(string run) => new SyncProgress<TrainProgress>(p => progress?.Report((run, p)));

        var denseConfig = baseConfig with { Out = Path.Combine(options.Out, "dense") };
        phases?.Report(new QuickstartPhase("dense", Done: false));
        var dense = TrainRun.Execute(denseConfig, new TrainRunOptions { Progress = For("dense") });
        phases?.Report(new QuickstartPhase("dense", Done: true));
        rows.Add(new QuickstartRow("dense", $"tiny CLIP trained {options.DenseSteps} steps from scratch", options.DenseSteps,
            ParameterCount.Of(dense.Model), dense.Eval, dense.OutDir));

        // Continuations start from the dense weights with a fresh, lower-LR schedule (CLIP-UP: reduced learning rate).
        var continueTrain = baseConfig.Train with { Steps = options.ContinueSteps, LearningRate = 5e-4, WarmupSteps = 10 };
        var copy = new ClipModel(dense.Model.Config);
        Checkpoint.LoadModel(copy, dense.Model.state_dict(), "the dense run");
        phases?.Report(new QuickstartPhase("dense-continued", Done: false));
        var cont = TrainRun.Execute(baseConfig with { Out = Path.Combine(options.Out, "dense-continued"), Train = continueTrain },
            new TrainRunOptions { Model = copy, Progress = For("dense-continued") });
        phases?.Report(new QuickstartPhase("dense-continued", Done: true));
        rows.Add(new QuickstartRow("dense-continued", $"+{options.ContinueSteps} steps, dense", options.DenseSteps + options.ContinueSteps,
            ParameterCount.Of(cont.Model), cont.Eval, cont.OutDir));

        if (upcycle?.Invoke(dense.Model) is { } moe)
        {
            phases?.Report(new QuickstartPhase(moe.Name, Done: false));
            var up = TrainRun.Execute(baseConfig with { Out = Path.Combine(options.Out, moe.Name), Train = continueTrain },
                new TrainRunOptions { Model = moe.Model, Aux = moe.Aux, Progress = For(moe.Name) });
            phases?.Report(new QuickstartPhase(moe.Name, Done: true));
            rows.Add(new QuickstartRow(moe.Name, $"+{options.ContinueSteps} steps, {moe.Description}", options.DenseSteps + options.ContinueSteps,
                ParameterCount.Of(up.Model), up.Eval, up.OutDir));
        }
        var report = Path.Combine(options.Out, "report.html");
        File.WriteAllText(report, Report(rows, options));
        return new QuickstartResult(rows, report);
    }

    /// <summary>
    /// The HTML report: what the numbers mean (with the 95% interval that one seed on the held-out images allows),
    /// the results table, loss and logit-scale curves on one step axis, and where the checkpoints are.
    /// </summary>
    public static string Report(IReadOnlyList<QuickstartRow> rows, QuickstartOptions options)
    {
        var runs = rows.ToDictionary(r => r.Name, r => MetricsLog.Read(Path.Combine(r.RunDir, "metrics.jsonl")));
        var offsets = rows.Skip(1).ToDictionary(r => r.Name, _ => options.DenseSteps);
        var continues = rows.Skip(1).ToDictionary(r => r.Name, _ => rows[0].Name);
        var loss = TrainingCharts.Curve(runs, "loss", "Contrastive loss on the training batches", "loss (nats)", offsets, continues);
        var scale = TrainingCharts.Curve(runs, "temperature", "Learned logit scale exp(logit_scale) = 1/τ (CLIP starts it at 1/0.07 ≈ 14.3)",
            "exp(logit_scale) = 1/τ", offsets, continues);
        int n = rows[0].Eval.RetrievalImages, captions = rows[0].Eval.RetrievalCaptions;
        var header = new[] { "run", "what", "total steps", "params (total)", "T→I R@1", "95% interval", "R@5", "R@10", "I→T R@1", "95% interval", "R@5", "R@10" };
        var body = rows.Select(r => (IReadOnlyList<string>)new[]
        {
            r.Name, r.Description, r.Steps.ToString(), $"{r.Parameters.Total / 1e6:F2}M",
            F(r.Eval.Retrieval?.TextToImageR1), Interval(r.Eval.Retrieval?.TextToImageR1, captions),
            F(r.Eval.Retrieval?.TextToImageR5), F(r.Eval.Retrieval?.TextToImageR10),
            F(r.Eval.Retrieval?.ImageToTextR1), Interval(r.Eval.Retrieval?.ImageToTextR1, n),
            F(r.Eval.Retrieval?.ImageToTextR5), F(r.Eval.Retrieval?.ImageToTextR10),
        });
        var example = rows.Select(r => r.Eval.Retrieval?.TextToImageR1).FirstOrDefault(v => v is not null) ?? 25.0;
        var (lo, hi) = Wilson(example, captions);
        var checkpoints = rows.Select(r => Checkpoints(r)).ToList();
        return PlotlyHtml.Page("ClipUp quickstart", [
            $"<p class=\"note\">A tiny CLIP (width 64, 2+2 layers, 32 px) trained on {options.TrainImages} synthetic shape images " +
            $"(\"a red circle left of a blue square\") and evaluated on {n} held-out ones. Chance R@1 is {100.0 / Math.Max(n, 1):F1}%. " +
            $"Continuations start from the dense weights at step {options.DenseSteps} with a fresh, lower learning-rate schedule; " +
            "their curves continue the dense run's step axis.</p>",
            $"<p><b>What the numbers mean.</b> T→I R@1 is the share of the {captions} held-out captions whose own image ranks first " +
            $"among the {n} images; I→T R@1 the share of the {n} images whose caption ranks first. Each row is one run with one seed " +
            $"(seed {options.Seed}), so its uncertainty is at least the sampling error of {n} test items: a recall of {example:F1}% " +
            $"has a 95% interval of {lo:F1}–{hi:F1}% (Wilson), ±{(hi - lo) / 2:F1} points, before any seed-to-seed variation. " +
            "Rows whose intervals overlap are not shown to differ: a 1-point gap here is noise, not a result. " +
            "A caption can describe several images (the generator knows only a few hundred distinct sentences), so perfect R@1 is impossible.</p>",
            PlotlyHtml.Table(header, body, $"Retrieval on the {n} held-out synthetic images (%), one seed"),
            PlotlyHtml.ChartFragment(loss),
            PlotlyHtml.ChartFragment(scale),
            PlotlyHtml.Table(["run", "checkpoints", "files", "size"], checkpoints, "Checkpoints (safetensors, open_clip keys; `clipup eval --weights FILE` reads them)"),
        ]);
    }

    /// <summary>One row per run: its checkpoint folder, files, and their total size.</summary>
    private static IReadOnlyList<string> Checkpoints(QuickstartRow row)
    {
        var folder = Path.Combine(row.RunDir, "checkpoints");
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.safetensors").Order(StringComparer.Ordinal).ToArray() : [];
        long bytes = files.Sum(f => new FileInfo(f).Length);
        return [row.Name, Path.GetFullPath(folder), files.Length == 0 ? "none" : string.Join(", ", files.Select(Path.GetFileName)),
            $"{bytes / 1e6:F1} MB"];
    }

    /// <summary>The 95% Wilson score interval (percent) of a recall measured on <paramref name="n"/> queries.</summary>
    public static (double Low, double High) Wilson(double percent, int n)
    {
        if (n <= 0) return (double.NaN, double.NaN);
        const double z = 1.959964;
        double p = percent / 100, z2n = z * z / n;
        double centre = (p + z2n / 2) / (1 + z2n);
        double half = z * Math.Sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n);
        return (100 * (centre - half), 100 * (centre + half));
    }

    private static string Interval(double? percent, int n) =>
        percent is { } p && Wilson(p, n) is var (lo, hi) && !double.IsNaN(lo) ? $"{lo:F1}–{hi:F1}" : "–";

    private static string F(double? v) => v is { } x ? x.ToString("F1") : "–";
}
