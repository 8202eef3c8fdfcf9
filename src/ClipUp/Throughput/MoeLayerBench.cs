using System.Diagnostics;
using System.Text.Json.Nodes;
using ClipUp.Model;
using ClipUp.Moe;
using ClipUp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Throughput;

/// <summary>
/// MoE layer forward+backward time divided by a dense MLP with the same active FLOPs (issue "MoE core", bench item):
/// top-k routing runs k expert MLPs of hidden F per token, so the dense reference has hidden k·F. Both see the same
/// tokens [T, D]; the ratio isolates routing, dispatch and combine overhead (1.0 = free routing).
/// </summary>
public static class MoeLayerBench
{
    public static JsonObject Run(int width, int experts, int topK, int tokens, double capacityFactor, int steps, string deviceSpec, bool bf16, DispatchPath dispatch = DispatchPath.Auto)
    {
        var device = Devices.Resolve(deviceSpec);
        var dtype = bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
        int hidden = 4 * width;
        var site = new MlpSite(Tower.Image, 1, 2, width, hidden, Activation.Gelu);
        var moeConfig = new MoeConfig { NumExperts = experts, TopK = topK, TrainCapacityFactor = capacityFactor, EvalCapacityFactor = capacityFactor, Dispatch = dispatch };
        using var moe = new MoeMlp(site, moeConfig, seed: 0);
        using var dense = new Mlp(width, topK * hidden, Activation.Gelu);
        moe.to(device).to(dtype); dense.to(device).to(dtype);
        var x = torch.randn(1, tokens, width, device: device).to(dtype).requires_grad_(true);
        double Time(nn.Module<Tensor, Tensor> layer)
        {
            for (int i = 0; i < 3; i++) Step(layer, x);
            if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++) Step(layer, x);
            if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
            return clock.Elapsed.TotalSeconds / steps;
        }
        double tDense = Time(dense), tMoe = Time(moe);
        return new JsonObject
        {
            ["bench"] = "moe_layer", ["width"] = width, ["experts"] = experts, ["top_k"] = topK, ["tokens"] = tokens,
            ["capacity_factor"] = capacityFactor, ["dispatch"] = dispatch.ToString(), ["device"] = deviceSpec, ["bf16"] = bf16,
            ["dense_ms"] = tDense * 1e3, ["moe_ms"] = tMoe * 1e3, ["ratio"] = tMoe / tDense,
        };
    }

    private static void Step(nn.Module<Tensor, Tensor> layer, Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        layer.zero_grad();
        layer.call(x).to(ScalarType.Float32).square().mean().backward();
        _ = Routing.Take(layer);
    }
}
