using System.CommandLine;
using ClipUp.Experiments;
using ClipUp.Training;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

public static class QuickstartCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "runs/quickstart" };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:<i>.", DefaultValueFactory = _ => "auto" };
        var steps = new Option<int>("--steps") { Description = "Steps of the dense run.", DefaultValueFactory = _ => 250 };
        var more = new Option<int>("--continue-steps") { Description = "Extra steps of each continuation.", DefaultValueFactory = _ => 150 };
        var cmd = new Command("quickstart", "Train a tiny CLIP on synthetic shapes, continue it dense and upcycled, and write an HTML report.")
            { outDir, device, steps, more };
        cmd.SetAction(parse =>
        {
            var options = new QuickstartOptions
            {
                Out = parse.GetValue(outDir)!, Device = parse.GetValue(device)!,
                DenseSteps = parse.GetValue(steps), ContinueSteps = parse.GetValue(more),
            };
            var result = Run(options);
            AnsiConsole.Write(ResultTables.Of(result.Rows.Select(r => (r.Name, r.Eval))));
            AnsiConsole.MarkupLine($"Chance R@1 is {100.0 / Math.Max(1, result.Rows[0].Eval.RetrievalImages):F1}% over {result.Rows[0].Eval.RetrievalImages} held-out images.");
            AnsiConsole.MarkupLine($"report: [link]{Markup.Escape(Path.GetFullPath(result.ReportPath))}[/]");
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// One Spectre progress bar per phase, each with its own ETA: data generation, the three training runs, and the
    /// evaluations (one after each run). Plain lines when the output is redirected.
    /// </summary>
    private static QuickstartResult Run(QuickstartOptions options)
    {
        if (Console.IsOutputRedirected)
            return Quickstart.Run(options,
                new SyncProgress<(string Run, TrainProgress Progress)>(p => Console.WriteLine($"{p.Run}: {ProgressView.Describe(p.Progress)}")),
                Upcycling.ForQuickstart,
                new SyncProgress<QuickstartPhase>(p => Console.WriteLine($"{p.Name}: {(p.Done ? "done" : "started")}")));
        QuickstartResult result = null!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var data = ctx.AddTask("generate data", autoStart: false, maxValue: 1);
                var tasks = new Dictionary<string, ProgressTask>
                {
                    ["dense"] = ctx.AddTask("dense", autoStart: false, maxValue: options.DenseSteps),
                    ["dense-continued"] = ctx.AddTask("dense-continued", autoStart: false, maxValue: options.ContinueSteps),
                };
                var upcycled = ctx.AddTask("clip-up", autoStart: false, maxValue: options.ContinueSteps);
                var evaluation = ctx.AddTask("evaluation", autoStart: false, maxValue: 3);
                ProgressTask Task(string run) => tasks.TryGetValue(run, out var t) ? t : tasks[run] = upcycled;
                var phases = new SyncProgress<QuickstartPhase>(p =>
                {
                    if (p.Name == "data")
                    {
                        if (!p.Done) data.StartTask();
                        else data.Value = 1;
                        return;
                    }
                    if (!p.Done) Task(p.Name).StartTask();
                    else evaluation.Increment(1);
                });
                result = Quickstart.Run(options, new SyncProgress<(string Run, TrainProgress Progress)>(p =>
                {
                    var task = Task(p.Run);
                    task.Value = p.Progress.Step;
                    task.Description = Markup.Escape($"{p.Run,-16} loss {p.Progress.Metrics.Loss:F3}");
                    if (p.Progress.Step >= p.Progress.TotalSteps)
                    {
                        // Training ended: its evaluation on the held-out set runs next.
                        if (!evaluation.IsStarted) evaluation.StartTask();
                        evaluation.Description = Markup.Escape($"evaluation ({p.Run})");
                    }
                }), Upcycling.ForQuickstart, phases);
                evaluation.Value = evaluation.MaxValue;
                foreach (var t in new[] { data, upcycled, evaluation }.Concat(tasks.Values)) t.StopTask();
            });
        return result;
    }
}
