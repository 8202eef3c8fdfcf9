using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClipUp.Io;
using ClipUp.Moe;
using ClipUp.Runtime;
using ClipUp.Training;
using TorchSharp;

namespace ClipUp.Experiments;

/// <summary>One trained capacity factor evaluated at one evaluation capacity factor, for one seed.</summary>
/// <param name="MeanRecall">Mean of T→I and I→T R@1/5/10 (%).</param>
public sealed record CapacityGridCell(string Variant, double TrainFactor, double EvalFactor, double MeanRecall, int Seed = 0);

/// <summary>
/// The capacity factor's train × eval grid (CLIP-UP's capacity trade-off, docs/papers/clip-up.md §6 item 9): every MoE
/// variant of a finished experiment is reloaded from its final checkpoint with each evaluation factor and evaluated
/// again on the retrieval set. Training fixes what the router learned under a budget; evaluation decides how many of
/// those tokens still get an expert. The grid needs the checkpoints, so the run writes it beside its results
/// (<see cref="FileName"/>) where readers without the checkpoints find it.
/// </summary>
public static class CapacityGrid
{
    public const string FileName = "capacity-grid.json";

    /// <summary>The evaluation factors of the grid: the trained ones of the capacity-factor experiment.</summary>
    public static IReadOnlyList<double> EvalFactors { get; } = [1.0, 1.25, 2.0, 4.0];

    /// <param name="resultsDir">results/&lt;experiment&gt;/&lt;profile&gt;/ of a finished run (its JSON names each run's config and folder).</param>
    /// <param name="seed">One seed, or every seed of the results when null.</param>
    public static IReadOnlyList<CapacityGridCell> Evaluate(string resultsDir, IReadOnlyList<double> evalFactors, int? seed = 0, Action<string>? log = null)
    {
        var cells = new List<CapacityGridCell>();
        foreach (var result in ExperimentReport.Load(resultsDir).Where(r => seed is null || (int?)r["seed"] == seed))
        {
            var config = JsonConfig.Parse<RunConfig>(result["config"]!.ToJsonString(), $"{result["variant"]} in {resultsDir}");
            // The trained model's own MoE config (accounting.moe); dense variants have none.
            if (result["accounting"]?["moe"] is not JsonObject moeJson) continue;
            var moe = JsonConfig.Parse<MoeConfig>(moeJson.ToJsonString(), $"{result["variant"]} accounting.moe");
            var checkpoint = Checkpoint.FindLatest(Path.Combine(config.Out, "checkpoints"))
                ?? throw new FileNotFoundException($"no checkpoint under {config.Out}/checkpoints: rerun the experiment to produce it");
            var device = Devices.Resolve(config.Device);
            int resultSeed = (int?)result["seed"] ?? 0;
            // Retrieval only: the grid asks how quality moves with the factor, and zero-shot would multiply its cost.
            var eval = config.Eval with { ZeroShot = null, ZeroShotAttributes = [] };
            foreach (var factor in evalFactors)
            {
                using var scope = torch.NewDisposeScope();
                var model = MoeModels.Create(config.ModelConfig(), moe with { EvalCapacityFactor = factor }, (int)config.Train.Seed);
                // Loaded per factor: the scope disposes what the model took from the file.
                Checkpoint.LoadModel(model, SafeTensors.Load(checkpoint), checkpoint);
                model.to(device).eval();
                using var _ = torch.no_grad();
                var r = Evaluation.Run(model, eval, device).Retrieval
                    ?? throw new InvalidOperationException($"{result["variant"]}: its config has no retrieval set to evaluate");
                double recall = new[] { r.TextToImageR1, r.TextToImageR5, r.TextToImageR10, r.ImageToTextR1, r.ImageToTextR5, r.ImageToTextR10 }.Average();
                cells.Add(new CapacityGridCell((string)result["variant"]!, moe.TrainCapacityFactor, factor, recall, resultSeed));
                log?.Invoke($"capacity grid: {result["variant"]} seed {resultSeed} evaluated at {factor:G}: mean recall {recall:F1}%");
            }
        }
        return cells;
    }

    public static void Save(IReadOnlyList<CapacityGridCell> cells, string resultsDir)
    {
        var path = Path.Combine(resultsDir, FileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(cells, JsonConfig.Options));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public static IReadOnlyList<CapacityGridCell> Load(string resultsDir) =>
        Path.Combine(resultsDir, FileName) is var path && File.Exists(path)
            ? JsonSerializer.Deserialize<List<CapacityGridCell>>(File.ReadAllText(path), JsonConfig.Options) ?? []
            : [];

    /// <summary>Trained factor (rows) × evaluation factor (columns): mean recall, mean ± sample std over seeds.</summary>
    public static string Markdown(IReadOnlyList<CapacityGridCell> cells)
    {
        var trained = cells.Select(c => c.TrainFactor).Distinct().Order().ToList();
        var evaluated = cells.Select(c => c.EvalFactor).Distinct().Order().ToList();
        int seeds = cells.Select(c => c.Seed).Distinct().Count();
        var sb = new StringBuilder();
        sb.AppendLine($"Mean recall (%) by capacity factor, trained ↓ × evaluated →, mean ± std over {seeds} seed(s):");
        sb.AppendLine();
        sb.AppendLine("| trained | " + string.Join(" | ", evaluated.Select(f => $"eval {f:G}")) + " |");
        sb.AppendLine("| --- | " + string.Join(" | ", evaluated.Select(_ => "---")) + " |");
        foreach (var t in trained)
            sb.AppendLine($"| {t:G} | " + string.Join(" | ", evaluated.Select(e =>
            {
                var v = cells.Where(c => c.TrainFactor == t && c.EvalFactor == e).Select(c => c.MeanRecall).ToList();
                if (v.Count == 0) return "–";
                double mean = v.Average(), std = ExperimentReport.Std(v);
                return v.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $"{mean:F1} ± {std:F1}") : mean.ToString("F1", CultureInfo.InvariantCulture);
            })) + " |");
        return sb.ToString();
    }
}
