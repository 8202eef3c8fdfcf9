using System.CommandLine;
using System.Globalization;
using ClipUp.Moe;
using ClipUp.Throughput;

namespace ClipUp.Cli.Commands;

/// <summary>
/// <c>clipup bench trainstep|moelayer</c>: ClipUp's side of the throughput ratios (bench/reference/clip_reference.py is
/// the PyTorch side). In the CLI, not only in bench/, because the GPU bundle carries the CLI alone (eng/gpu/check.sh).
/// Each prints one JSON line.
/// </summary>
public static class BenchCommand
{
    public static Command Create() => new("bench", "Measure training-step and MoE-layer throughput on this machine (one JSON line each; ratios against PyTorch: bench/run-cpu.sh, eng/gpu/check.sh).")
    {
        TrainStep(), MoeLayer(),
    };

    private static Option<string> Device() => new("--device") { Description = "cpu, cuda or cuda:<i>.", DefaultValueFactory = _ => "cpu" };
    private static Option<bool> Bf16() => new("--bf16") { Description = "bf16 weights and activations (the trainer's mixed precision for trainstep)." };
    private static Option<string?> Json() => new("--json") { Description = "Also write the JSON line to this file." };
    private static Option<string> Dispatch() => new("--dispatch") { Description = "MoE dispatch: auto, sorted, grouped or onehot.", DefaultValueFactory = _ => "auto" };

    private static Command TrainStep()
    {
        var preset = new Option<string>("--preset") { Description = "Model preset: tiny, S16-96, B16, B32 (the same shapes as clip_reference.py).", DefaultValueFactory = _ => "tiny" };
        var moe = new Option<bool>("--moe") { Description = "The benchmark MoE (E=8, top-2, every other layer, capacity factor 1.25) instead of dense." };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 64 };
        var steps = new Option<int>("--steps") { Description = "Timed steps.", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first.", DefaultValueFactory = _ => 3 };
        var (device, bf16, dispatch, json) = (Device(), Bf16(), Dispatch(), Json());
        var cmd = new Command("trainstep", "Samples/s of full training steps (forward, InfoNCE, backward, AdamW) on random batches.")
            { preset, moe, batch, steps, warmup, device, bf16, dispatch, json };
        cmd.SetAction(parse =>
        {
            var result = TrainStepBench.Run(parse.GetValue(preset)!, parse.GetValue(moe), Positive(parse.GetValue(batch), "--batch"),
                Positive(parse.GetValue(steps), "--steps"), parse.GetValue(warmup), parse.GetValue(device)!, parse.GetValue(bf16),
                ParseDispatch(parse.GetValue(dispatch)!));
            return Print(result, parse.GetValue(json));
        });
        return cmd;
    }

    private static Command MoeLayer()
    {
        var width = new Option<int>("--width") { Description = "Token width D (the MLP hidden is 4·D).", DefaultValueFactory = _ => 768 };
        var experts = new Option<int>("--experts") { Description = "Number of experts E.", DefaultValueFactory = _ => 8 };
        var topK = new Option<int>("--top-k") { Description = "Experts per token k.", DefaultValueFactory = _ => 2 };
        var tokens = new Option<int>("--tokens") { Description = "Tokens per step.", DefaultValueFactory = _ => 4096 };
        var capacity = new Option<string>("--capacity-factor") { Description = "Capacity factor.", DefaultValueFactory = _ => "1.25" };
        var steps = new Option<int>("--steps") { Description = "Timed steps.", DefaultValueFactory = _ => 5 };
        var (device, bf16, dispatch, json) = (Device(), Bf16(), Dispatch(), Json());
        var cmd = new Command("moelayer", "One MoE layer's forward+backward time over a dense MLP of equal active FLOPs (1.0 = free routing).")
            { width, experts, topK, tokens, capacity, steps, device, bf16, dispatch, json };
        cmd.SetAction(parse =>
        {
            if (!double.TryParse(parse.GetValue(capacity), NumberStyles.Float, CultureInfo.InvariantCulture, out double cf) || cf <= 0)
                throw new UserErrorException($"--capacity-factor must be a positive number such as 1.25, not '{parse.GetValue(capacity)}'.");
            var result = MoeLayerBench.Run(Positive(parse.GetValue(width), "--width"), Positive(parse.GetValue(experts), "--experts"),
                Positive(parse.GetValue(topK), "--top-k"), Positive(parse.GetValue(tokens), "--tokens"), cf,
                Positive(parse.GetValue(steps), "--steps"), parse.GetValue(device)!, parse.GetValue(bf16), ParseDispatch(parse.GetValue(dispatch)!));
            return Print(result, parse.GetValue(json));
        });
        return cmd;
    }

    private static int Print(System.Text.Json.Nodes.JsonObject result, string? path)
    {
        var line = result.ToJsonString();
        Console.WriteLine(line);
        if (path is not null) File.WriteAllText(path, line + "\n");
        return 0;
    }

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new UserErrorException($"{option} must be a positive whole number, not {value}.");

    private static DispatchPath ParseDispatch(string name) =>
        Enum.TryParse<DispatchPath>(name, ignoreCase: true, out var d) && Enum.IsDefined(d)
            ? d : throw new UserErrorException($"--dispatch must be one of auto, sorted, grouped, onehot, not '{name}'.");
}
