using System.Diagnostics;
using System.Text.Json.Nodes;
using ClipUp.Model;
using ClipUp.Moe;
using ClipUp.Runtime;
using ClipUp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Throughput;

/// <summary>
/// Training-step throughput of ClipUp on the same random batch shapes as bench/reference/clip_reference.py, so the
/// two can be compared as a ratio in the same run on the same machine (bench/run-cpu.sh).
/// </summary>
public static class TrainStepBench
{
    public static JsonObject Run(string preset, bool moe, int batch, int steps, int warmup, string deviceSpec, bool bf16,
        DispatchPath dispatch = DispatchPath.Auto)
    {
        var device = Devices.Resolve(deviceSpec);
        var config = ClipConfig.FromPreset(preset);
        torch.manual_seed(0);
        using var model = BenchModels.Create(config, moe, dispatch);
        model.to(device);
        int n = batch * 2;
        var images = torch.randn(n, 3, config.Vision.ImageSize, config.Vision.ImageSize);
        var tokens = torch.randint(1, 49406, [n, config.Text.ContextLength]);
        tokens[.., 0] = torch.tensor(49406L);
        tokens[.., config.Text.ContextLength / 2] = torch.tensor(49407L);
        var stream = new TensorStream(images, tokens, batch, 0);
        var train = new TrainConfig
        {
            Steps = warmup + steps, BatchSize = batch, WarmupSteps = 1, LogEvery = 1_000_000,
            Precision = bf16 ? Precision.Bf16 : Precision.Fp32,
        };
        using var trainer = new Trainer(model, train, device, BenchModels.Aux(moe));
        trainer.Run(stream, 0, warmup);
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
        var clock = Stopwatch.StartNew();
        trainer.Run(stream, warmup, warmup + steps);
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
        double seconds = clock.Elapsed.TotalSeconds;
        return new JsonObject
        {
            ["impl"] = "clipup", ["preset"] = preset, ["moe"] = moe ? 1 : 0, ["batch"] = batch, ["steps"] = steps,
            ["device"] = deviceSpec, ["bf16"] = bf16 ? 1 : 0, ["dispatch"] = moe ? dispatch.ToString() : null, ["seconds"] = seconds, ["samples_per_s"] = batch * steps / seconds,
            ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(), ["threads"] = torch.get_num_threads(),
        };
    }
}
