using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClipUp.Training;

/// <summary>One logged training step.</summary>
public sealed record StepMetrics(int Step, double Loss, double AuxLoss, double Lr, double Temperature, double GradNorm,
    double SamplesPerSecond, double MemoryMb, int SkippedSteps, IReadOnlyDictionary<string, double>? Extra = null);

/// <summary>
/// Appends <see cref="StepMetrics"/> as JSON lines. On resume it drops lines after the checkpoint's step, so the file
/// reads as one uninterrupted run.
/// </summary>
public sealed class MetricsLog
{
    private readonly string path;

    public MetricsLog(string path, int resumeStep)
    {
        this.path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path))
        {
            var kept = File.ReadAllLines(path).Where(l => StepOf(l) is int s && s <= resumeStep).ToList();
            var tmp = path + ".tmp";
            File.WriteAllLines(tmp, kept);
            File.Move(tmp, path, overwrite: true);
        }
    }

    public void Append(StepMetrics m)
    {
        var o = new JsonObject
        {
            ["step"] = m.Step, ["loss"] = m.Loss, ["aux_loss"] = m.AuxLoss, ["lr"] = m.Lr, ["temperature"] = m.Temperature,
            ["grad_norm"] = m.GradNorm, ["samples_per_s"] = m.SamplesPerSecond, ["memory_mb"] = m.MemoryMb,
            ["skipped_steps"] = m.SkippedSteps,
        };
        if (m.Extra != null) foreach (var (k, v) in m.Extra) o[k] = v;
        File.AppendAllText(path, o.ToJsonString() + "\n");
    }

    /// <summary>A validation result: its own line, <c>{"step", "val_score"}</c>.</summary>
    public void AppendValidation(int step, double score) =>
        File.AppendAllText(path, new JsonObject { ["step"] = step, ["val_score"] = score }.ToJsonString() + "\n");

    /// <summary>Reads a metrics file back (for reports and plots).</summary>
    public static IReadOnlyList<JsonObject> Read(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    private static int? StepOf(string line)
    {
        try { return JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt32(); }
        catch (JsonException) { return null; }
    }
}
