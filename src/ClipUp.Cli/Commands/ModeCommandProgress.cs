using ClipUp.Experiments;
using ClipUp.Training;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

/// <summary>Console output of <c>clipup mode</c>: one progress bar per training run, and the evaluation tables.</summary>
public static class ModeCommandProgress
{
    /// <summary>Runs <paramref name="work"/> with a bar per run name (plain lines when output is redirected).</summary>
    public static T Run<T>(Func<IProgress<(string Run, TrainProgress Progress)>, T> work)
    {
        if (Console.IsOutputRedirected)
            return work(new SyncProgress<(string Run, TrainProgress Progress)>(p => Console.WriteLine($"{p.Run}: {ProgressView.Describe(p.Progress)}")));
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = work(new SyncProgress<(string Run, TrainProgress Progress)>(p =>
                {
                    if (!tasks.TryGetValue(p.Run, out var task))
                        tasks[p.Run] = task = ctx.AddTask(Markup.Escape(p.Run), maxValue: p.Progress.TotalSteps);
                    task.Value = p.Progress.Step;
                    task.Description = Markup.Escape($"{p.Run,-10} {ProgressView.Describe(p.Progress)}");
                }));
            });
        return result;
    }

    /// <summary>Zero-shot top-1 and retrieval mean recall per method and task, the routing weights, and the cost.</summary>
    public static void Print(ModeEvalResult r)
    {
        static string F(double v) => v.ToString("F1");
        static string W(float[] w) => "[" + string.Join(", ", w.Select(v => v.ToString("F2"))) + "]";
        var methods = r.ZeroShot.SelectMany(z => z.Scores.Keys).Concat(r.Retrieval.SelectMany(t => t.Scores.Keys)).Distinct().ToArray();
        var table = new Table().AddColumn("method");
        foreach (var z in r.ZeroShot) table.AddColumn(Markup.Escape($"{z.Task} top-1"));
        foreach (var t in r.Retrieval) table.AddColumn(Markup.Escape($"{t.Task} mean R@K"));
        foreach (var m in methods)
            table.AddRow([Markup.Escape(m),
                .. r.ZeroShot.Select(z => z.Scores.TryGetValue(m, out var s) ? F(s.Top1) : "–"),
                .. r.Retrieval.Select(t => t.Scores.TryGetValue(m, out var s) ? F(s.Mean) : "–")]);
        AnsiConsole.Write(table);
        foreach (var z in r.ZeroShot)
            AnsiConsole.MarkupLine(Markup.Escape($"{z.Task}: routing paper {W(z.Weights["paper"])}, code {W(z.Weights["code"])}, mean centre distance {z.MeanCentreDistance:F3}"));
        foreach (var t in r.Retrieval)
            AnsiConsole.MarkupLine(Markup.Escape($"{t.Task}: routing (image→text) paper {W(t.Weights["paper_image_to_text"])}, code {W(t.Weights["code_image_to_text"])}"));
        AnsiConsole.MarkupLine($"training compute {r.Cost.RelativeTrainingCompute:F3}× one dense run ({r.Cost.SeedSteps} seed + {r.Cost.Experts} × {r.Cost.ExpertSteps} expert steps over {r.Cost.DenseSteps})");
    }
}
