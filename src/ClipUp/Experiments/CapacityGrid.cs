using System.Text.Json.Nodes;
using ClipUp.Io;
using ClipUp.Moe;
using ClipUp.Runtime;
using ClipUp.Training;
using TorchSharp;

namespace ClipUp.Experiments;

/// <summary>One trained capacity factor evaluated at one evaluation capacity factor.</summary>
/// <param name="MeanRecall">Mean of T→I and I→T R@1/5/10 (%).</param>
public sealed record CapacityGridCell(string Variant, double TrainFactor, double EvalFactor, double MeanRecall);

/// <summary>
/// The capacity factor's train × eval grid (CLIP-UP's capacity trade-off, clip-up.md §6 item 9): every MoE variant of a
/// finished experiment is reloaded from its final checkpoint with each evaluation factor and evaluated again. Training
/// fixes what the router learned under a budget; evaluation decides how many of those tokens still get an expert.
/// </summary>
public static class CapacityGrid
{
    /// <param name="resultsDir">results/&lt;experiment&gt;/&lt;profile&gt;/ of a finished run (its JSON names each run's config and folder).</param>
    public static IReadOnlyList<CapacityGridCell> Evaluate(string resultsDir, IReadOnlyList<double> evalFactors, int seed = 0)
    {
        var cells = new List<CapacityGridCell>();
        foreach (var result in ExperimentReport.Load(resultsDir).Where(r => (int?)r["seed"] == seed))
        {
            var config = JsonConfig.Parse<RunConfig>(result["config"]!.ToJsonString(), $"{result["variant"]} in {resultsDir}");
            // The trained model's own MoE config (accounting.moe); dense variants have none.
            if (result["accounting"]?["moe"] is not JsonObject moeJson) continue;
            var moe = JsonConfig.Parse<MoeConfig>(moeJson.ToJsonString(), $"{result["variant"]} accounting.moe");
            var checkpoint = Checkpoint.FindLatest(Path.Combine(config.Out, "checkpoints"))
                ?? throw new FileNotFoundException($"no checkpoint under {config.Out}/checkpoints: rerun the experiment to produce it");
            var device = Devices.Resolve(config.Device);
            foreach (var factor in evalFactors)
            {
                using var scope = torch.NewDisposeScope();
                var model = MoeModels.Create(config.ModelConfig(), moe with { EvalCapacityFactor = factor }, (int)config.Train.Seed);
                // Loaded per factor: the scope disposes what the model took from the file.
                Checkpoint.LoadModel(model, SafeTensors.Load(checkpoint), checkpoint);
                model.to(device).eval();
                using var _ = torch.no_grad();
                var eval = Evaluation.Run(model, config.Eval, device);
                var r = eval.Retrieval ?? throw new InvalidOperationException($"{result["variant"]}: its config has no retrieval set to evaluate");
                double recall = new[] { r.TextToImageR1, r.TextToImageR5, r.TextToImageR10, r.ImageToTextR1, r.ImageToTextR5, r.ImageToTextR10 }.Average();
                cells.Add(new CapacityGridCell((string)result["variant"]!, moe.TrainCapacityFactor, factor, recall));
            }
        }
        return cells;
    }
}
