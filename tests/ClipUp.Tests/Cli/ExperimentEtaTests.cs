using ClipUp.Cli.Commands;
using ClipUp.Training;

namespace ClipUp.Tests.Cli;

public class ExperimentEtaTests
{
    static TrainProgress At(int step) => new(step, 300, new StepMetrics(step, 1, 0, 1e-3, 14, 1, 1000, 0, 0));

    [Fact]
    public void AResumedRunCountsItsEarlierStepsAsDoneButNotAsSpeed()
    {
        var eta = new ExperimentEta([("cf-2.0 s1", 300), ("cf-4.0 s1", 300)]);

        var first = eta.Describe("cf-2.0 s1", At(168));     // resumed from a checkpoint near step 168

        Assert.StartsWith("[ 28% of 600 steps, ETA measuring]", first);   // 168 of 600 done; no step trained here yet
        Assert.DoesNotContain("ETA measuring", eta.Describe("cf-2.0 s1", At(180)));
    }

    [Fact]
    public void TheLastStepOfThePlanLeavesNothingToWaitFor() =>
        Assert.StartsWith("[100% of 300 steps, ETA 0 s]", new ExperimentEta([("dense s0", 300)]).Describe("dense s0", At(300)));
}
