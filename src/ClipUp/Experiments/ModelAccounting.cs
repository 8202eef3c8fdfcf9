using System.Text.Json.Nodes;
using ClipUp.Model;
using ClipUp.Moe;
using ClipUp.Training;

namespace ClipUp.Experiments;

/// <summary>Parameters, FLOPs and routing statistics of a trained model, as written into every result file.</summary>
public static class ModelAccounting
{
    public static JsonObject ToJson(ClipModelBase model)
    {
        var counts = MoeParameters.Of(model);
        var moe = Routing.Layers(model).Select(l => l.Layer.Config).FirstOrDefault();
        var flops = Flops.Forward(model.Config, moe, shared: model is SharedClipModel);
        return new JsonObject
        {
            ["total_params"] = counts.Total,
            ["active_params"] = counts.Active,
            ["forward_gflops"] = (flops.Image + flops.Text) / 1e9,
            ["image_gflops"] = flops.Image / 1e9,
            ["text_gflops"] = flops.Text / 1e9,
            ["moe"] = moe is null ? null : JsonNode.Parse(moe.ToJson()),
        };
    }

    /// <summary>
    /// Routing statistics from the last logged training step (metrics.jsonl, keys <c>moe/&lt;layer&gt;/&lt;stat&gt;</c>):
    /// per-layer values, and the means over layers of the dropped fraction and the busiest expert's load. Null for dense runs.
    /// </summary>
    public static JsonObject? RoutingJson(string runDir)
    {
        var path = Path.Combine(runDir, "metrics.jsonl");
        if (!File.Exists(path)) return null;
        var last = MetricsLog.Read(path).LastOrDefault(o => o.ContainsKey("loss"));
        if (last is null) return null;
        var moe = last.Where(kv => kv.Key.StartsWith("moe/", StringComparison.Ordinal)).ToList();
        if (moe.Count == 0) return null;
        double Mean(string stat) => moe.Where(kv => kv.Key.EndsWith("/" + stat, StringComparison.Ordinal)).Select(kv => (double)kv.Value!).DefaultIfEmpty(double.NaN).Average();
        var layers = new JsonObject();
        foreach (var (k, v) in moe) layers[k] = (double)v!;
        return new JsonObject
        {
            ["dropped_fraction"] = Mean("dropped_fraction"),
            ["max_load"] = Mean("max_load"),
            ["load_balance"] = Mean("load_balance"),
            ["z_loss"] = Mean("z_loss"),
            ["layers"] = layers,
        };
    }
}
