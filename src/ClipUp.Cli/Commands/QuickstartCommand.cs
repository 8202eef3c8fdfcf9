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

    private static QuickstartResult Run(QuickstartOptions options)
    {
        if (Console.IsOutputRedirected)
            return Quickstart.Run(options, new SyncProgress<(string Run, TrainProgress Progress)>(p => Console.WriteLine($"{p.Run}: {ProgressView.Describe(p.Progress)}")), Upcycling.ForQuickstart);
        QuickstartResult result = null!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = Quickstart.Run(options, new SyncProgress<(string Run, TrainProgress Progress)>(p =>
                {
                    if (!tasks.TryGetValue(p.Run, out var task))
                        tasks[p.Run] = task = ctx.AddTask(Markup.Escape(p.Run), maxValue: p.Progress.TotalSteps);
                    task.Value = p.Progress.Step;
                    task.Description = Markup.Escape($"{p.Run,-16} loss {p.Progress.Metrics.Loss:F3}");
                }), Upcycling.ForQuickstart);
            });
        return result;
    }
}
