using ClipUp.Training;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

/// <summary>A Spectre progress bar with ETA fed by the trainer's logged steps; plain lines when output is redirected.</summary>
public static class ProgressView
{
    public static T Run<T>(string title, int totalSteps, Func<IProgress<TrainProgress>, T> work)
    {
        if (Console.IsOutputRedirected)
            return work(new SyncProgress<TrainProgress>(p => Console.WriteLine(Describe(p))));
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: totalSteps);
                result = work(new SyncProgress<TrainProgress>(p =>
                {
                    task.Value = p.Step;
                    task.Description = Markup.Escape($"{title}  {Describe(p)}");
                }));
                task.Value = totalSteps;
            });
        return result;
    }

    public static string Describe(TrainProgress p) =>
        $"step {p.Step}/{p.TotalSteps} loss {p.Metrics.Loss:F3} lr {p.Metrics.Lr:G3} T {p.Metrics.Temperature:F1} {p.Metrics.SamplesPerSecond:F0} samples/s";
}
