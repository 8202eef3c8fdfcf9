using ClipUp.Moe;
using ClipUp.Training;

namespace ClipUp.Tests.Moe;

public class RouterCollapseTests
{
    private static StepMetrics Step(int step, double share) =>
        new(step, 1, 0, 1e-3, 14, 1, 100, 0, 0, new Dictionary<string, double> { ["moe/image_layer_1/min_share"] = share, ["moe/image_layer_1/max_load"] = 2 });

    [Fact]
    public void AnExpertStarvedForFiveLoggedStepsRaisesOneWarningNamingTheLayer()
    {
        var watch = new RouterCollapse(minShare: 0.01, patience: 5);
        var warnings = new List<string>();
        // Steps 1–3 starved, step 4 recovers (streak resets), steps 5–10 starved: the 5th starved step in a row is step 9.
        double[] shares = [0.001, 0.001, 0.002, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        for (int i = 0; i < shares.Length; i++)
            warnings.AddRange(watch.Observe(Step(i + 1, shares[i])));
        Assert.Single(warnings);
        Assert.Contains("step 9", warnings[0]);
        Assert.Contains("moe/image_layer_1", warnings[0]);
    }
}
