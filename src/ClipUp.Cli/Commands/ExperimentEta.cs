using System.Diagnostics;
using System.Globalization;
using ClipUp.Training;

namespace ClipUp.Cli.Commands;

/// <summary>
/// Progress of a whole experiment as plain lines (they read the same in a terminal and in a background log):
/// the share of all planned steps done and an ETA from the steps per second measured so far in this process.
/// </summary>
public sealed class ExperimentEta(IReadOnlyList<(string Run, int Steps)> plan)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly int total = plan.Sum(p => p.Steps);
    private readonly Dictionary<string, int> done = new();

    public string Describe(string run, TrainProgress p)
    {
        done[run] = p.Step;
        int steps = done.Sum(d => Math.Min(d.Value, plan.FirstOrDefault(x => x.Run == d.Key).Steps is > 0 and var s ? s : d.Value));
        double fraction = total > 0 ? Math.Min(1, (double)steps / total) : 1;
        var eta = steps > 0 && total > steps ? TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / steps * (total - steps)) : TimeSpan.Zero;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{100 * fraction,3:F0}% of {total:N0} steps, ETA {Format(eta)}] {run}: {ProgressView.Describe(p)}");
    }

    public string Summary => $"{total:N0} steps in {plan.Count} training run(s)";

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes:D2} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min" : $"{t.Seconds} s";
}
