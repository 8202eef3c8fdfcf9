using System.Diagnostics;
using System.Globalization;
using ClipUp.Training;

namespace ClipUp.Cli.Commands;

/// <summary>
/// Progress of a whole experiment as plain lines (they read the same in a terminal and in a background log):
/// the share of all planned steps done and an ETA from the steps per second measured so far in this process.
/// Each planned run has the steps it has left and the step it starts from (a continuation, e.g. a MoDE expert, reports
/// steps after the seed's).
/// </summary>
public sealed class ExperimentEta
{
    private readonly IReadOnlyList<(string Run, int Steps, int From)> plan;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly int total;
    private readonly Dictionary<string, int> done = new();
    // The first step each run reported in this process: a resumed run starts past 0, and only steps trained here
    // measure the speed.
    private readonly Dictionary<string, int> firstSeen = new();

    public ExperimentEta(IReadOnlyList<(string Run, int Steps, int From)> plan)
    {
        this.plan = plan;
        total = plan.Sum(p => p.Steps);
    }

    public ExperimentEta(IReadOnlyList<(string Run, int Steps)> plan) : this(plan.Select(p => (p.Run, p.Steps, 0)).ToList()) { }

    public string Describe(string run, TrainProgress p)
    {
        var planned = plan.FirstOrDefault(x => x.Run == run);
        done[run] = Math.Max(0, p.Step - planned.From);
        firstSeen.TryAdd(run, done[run]);
        int Capped(string r, int v) => Math.Min(v, plan.FirstOrDefault(x => x.Run == r).Steps is > 0 and var s ? s : v);
        int steps = done.Sum(d => Capped(d.Key, d.Value));
        int trainedHere = done.Sum(d => Capped(d.Key, d.Value) - Capped(d.Key, firstSeen[d.Key]));
        double fraction = total > 0 ? Math.Min(1, (double)steps / total) : 1;
        var eta = total <= steps ? "0 s"
            : trainedHere > 0 ? Format(TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / trainedHere * (total - steps)))
            : "measuring";
        return string.Create(CultureInfo.InvariantCulture,
            $"[{100 * fraction,3:F0}% of {total:N0} steps, ETA {eta}] {run}: {ProgressView.Describe(p)}");
    }

    public string Summary => $"{total:N0} steps in {plan.Count} training run(s)";

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes:D2} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min" : $"{t.Seconds} s";
}
