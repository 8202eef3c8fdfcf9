using System.Text.RegularExpressions;
using ClipUp.Eval;
using ClipUp.Experiments;
using ClipUp.Model;

namespace ClipUp.Tests.Experiments;

/// <summary>The quickstart report as a reader meets it (issue 15, item 11), built from hand-written metrics.</summary>
public class QuickstartReportTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-report-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private QuickstartRow Row(string name, int steps, double r1, int logged, int checkpointBytes)
    {
        string runDir = Path.Combine(dir, name);
        Directory.CreateDirectory(Path.Combine(runDir, "checkpoints"));
        // Logged every 10 steps: step 10, 20, …; loss falls, the logit scale rises.
        File.WriteAllLines(Path.Combine(runDir, "metrics.jsonl"), Enumerable.Range(1, logged)
            .Select(i => $$"""{"step":{{10 * i}},"loss":{{4.0 - 0.01 * i}},"temperature":{{14.3 + 0.1 * i}}}"""));
        File.WriteAllBytes(Path.Combine(runDir, "checkpoints", $"step-{steps:D8}.safetensors"), new byte[checkpointBytes]);
        var eval = new EvalResult(new RetrievalMetrics(r1, 50, 70, r1, 50, 70), null, RetrievalImages: 200, RetrievalCaptions: 200);
        return new QuickstartRow(name, name, steps, new ParameterCount(1_000_000, 1_000_000), eval, runDir);
    }

    [Theory]
    [InlineData(24.0, 200, 18.6, 30.4)]    // p = 0.24, z²/n = 0.0192: centre 0.2449, half-width 0.0588
    [InlineData(50.0, 200, 43.1, 56.9)]    // centre 0.5, half-width 1.96·√(0.25/200 + 0.0192/800)/1.0192 = 0.0688
    [InlineData(0.0, 200, 0.0, 1.9)]       // Wilson stays inside [0, 100]: upper 0.0192/1.0192 = 0.0188
    public void TheIntervalIsWilsons95PercentScoreInterval(double percent, int n, double low, double high)
    {
        var (lo, hi) = Quickstart.Wilson(percent, n);
        Assert.Equal(low, lo, 1);
        Assert.Equal(high, hi, 1);
    }

    [Fact]
    public void TheReportExplainsItsNumbersShowsEveryCurveOnOneAxisAndNamesTheCheckpoints()
    {
        var options = new QuickstartOptions { DenseSteps = 250, ContinueSteps = 150, Seed = 0 };
        var rows = new[] { Row("dense", 250, 24.0, 25, 2_000_000), Row("dense-continued", 400, 25.0, 15, 2_000_000), Row("clip-up", 400, 24.5, 15, 5_500_000) };
        string html = Quickstart.Report(rows, options);

        // One paragraph on what the numbers mean: the interval over the 200 images and the seed count.
        Assert.Contains("a recall of 24.0% has a 95% interval of 18.6–30.4% (Wilson)", html);
        Assert.Contains("one seed", html);
        Assert.Contains("a 1-point gap here is noise", html);
        Assert.Contains("<td>18.6–30.4</td>", html);
        // The axis title names the plotted quantity (exp(logit_scale), not "logit scale").
        Assert.Contains("exp(logit_scale) = 1/τ", html);
        Assert.DoesNotContain("\"logit scale\"", html);
        // Continuations are dashed/dotted with markers, and start at the dense run's last point (step 250), so no gap.
        Assert.Contains("\"dash\":\"dash\"", html);
        Assert.Contains("\"dash\":\"dot\"", html);
        Assert.Matches(new Regex("\"x\":\\[250,260,270"), html);
        // Where the checkpoints are, and how large.
        Assert.Contains(Path.Combine(dir, "clip-up", "checkpoints"), html);
        Assert.Contains("<td>5.5 MB</td>", html);
    }
}
