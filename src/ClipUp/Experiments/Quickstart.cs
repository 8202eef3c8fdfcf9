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
        Func<ClipModelBase, (string Name, string Description, ClipModelBase Model, Func<ClipModelBase, StepAux?>? Aux)?>? upcycle = null)
    {
        var data = Path.Combine(options.Out, "data");
        if (!File.Exists(Path.Combine(data, "val.tsv")))
        {
            SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(options.TrainImages) { Seed = (int)options.Seed + 1 }), data, "train.tsv");
            SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(options.ValImages) { Seed = (int)options.Seed + 2 }), data, "val.tsv", firstIndex: 100_000);
        }
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
        var dense = TrainRun.Execute(denseConfig, new TrainRunOptions { Progress = For("dense") });
        rows.Add(new QuickstartRow("dense", $"tiny CLIP trained {options.DenseSteps} steps from scratch", options.DenseSteps,
            ParameterCount.Of(dense.Model), dense.Eval, dense.OutDir));

        // Continuations start from the dense weights with a fresh, lower-LR schedule (CLIP-UP: reduced learning rate).
        var continueTrain = baseConfig.Train with { Steps = options.ContinueSteps, LearningRate = 5e-4, WarmupSteps = 10 };
        var copy = new ClipModel(dense.Model.Config);
        Checkpoint.LoadModel(copy, dense.Model.state_dict(), "the dense run");
        var cont = TrainRun.Execute(baseConfig with { Out = Path.Combine(options.Out, "dense-continued"), Train = continueTrain },
            new TrainRunOptions { Model = copy, Progress = For("dense-continued") });
        rows.Add(new QuickstartRow("dense-continued", $"+{options.ContinueSteps} steps, dense", options.DenseSteps + options.ContinueSteps,
            ParameterCount.Of(cont.Model), cont.Eval, cont.OutDir));

        if (upcycle?.Invoke(dense.Model) is { } moe)
        {
            var up = TrainRun.Execute(baseConfig with { Out = Path.Combine(options.Out, moe.Name), Train = continueTrain },
                new TrainRunOptions { Model = moe.Model, Aux = moe.Aux, Progress = For(moe.Name) });
            rows.Add(new QuickstartRow(moe.Name, $"+{options.ContinueSteps} steps, {moe.Description}", options.DenseSteps + options.ContinueSteps,
                ParameterCount.Of(up.Model), up.Eval, up.OutDir));
        }
        var report = Path.Combine(options.Out, "report.html");
        File.WriteAllText(report, Report(rows, options));
        return new QuickstartResult(rows, report);
    }

    private static string Report(IReadOnlyList<QuickstartRow> rows, QuickstartOptions options)
    {
        var runs = rows.ToDictionary(r => r.Name, r => MetricsLog.Read(Path.Combine(r.RunDir, "metrics.jsonl")));
        var offsets = rows.Skip(1).ToDictionary(r => r.Name, _ => options.DenseSteps);
        var loss = TrainingCharts.Curve(runs, "loss", "Contrastive loss on the training batches", "loss (nats)", offsets);
        var temp = TrainingCharts.Curve(runs, "temperature", "Learned temperature exp(logit_scale)", "logit scale", offsets);
        var header = new[] { "run", "what", "total steps", "params (total)", "T→I R@1", "R@5", "R@10", "I→T R@1", "R@5", "R@10" };
        var body = rows.Select(r => (IReadOnlyList<string>)new[]
        {
            r.Name, r.Description, r.Steps.ToString(), $"{r.Parameters.Total / 1e6:F2}M",
            F(r.Eval.Retrieval?.TextToImageR1), F(r.Eval.Retrieval?.TextToImageR5), F(r.Eval.Retrieval?.TextToImageR10),
            F(r.Eval.Retrieval?.ImageToTextR1), F(r.Eval.Retrieval?.ImageToTextR5), F(r.Eval.Retrieval?.ImageToTextR10),
        });
        var n = rows[0].Eval.RetrievalImages;
        return PlotlyHtml.Page("ClipUp quickstart", [
            $"<p class=\"note\">A tiny CLIP (width 64, 2+2 layers, 32 px) trained on {options.TrainImages} synthetic shape images " +
            $"(\"a red circle left of a blue square\") and evaluated on {n} held-out ones. Chance R@1 is {100.0 / Math.Max(n, 1):F1}%. " +
            "Continuations start from the dense weights at step " + options.DenseSteps + " with a fresh, lower learning-rate schedule.</p>",
            PlotlyHtml.Table(header, body, "Retrieval on the held-out synthetic set (%)"),
            PlotlyHtml.ChartFragment(loss),
            PlotlyHtml.ChartFragment(temp),
        ]);
    }

    private static string F(double? v) => v is { } x ? x.ToString("F1") : "–";
}
