using System.CommandLine;
using ClipUp.Experiments;
using ClipUp.Io;
using ClipUp.Moe;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

public static class UpcycleCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "Dense weights: a ClipUp checkpoint, a Hugging Face CLIPModel folder or an open_clip .safetensors.", Required = true };
        var config = new Option<FileInfo>("--config") { Description = "Run config for the continued training (data, steps, reduced learning rate, eval); its `moe` section sets the MoE.", Required = true };
        var experts = new Option<int?>("--experts") { Description = "Number of experts (overrides the config's moe.num_experts; default 8)." };
        var topK = new Option<int?>("--top-k") { Description = "Experts per token (default 2)." };
        var outDir = new Option<string?>("--out") { Description = "Output folder (overrides the config's out)." };
        var device = new Option<string?>("--device") { Description = "auto, cpu, cuda or cuda:<i> (overrides the config)." };
        var cmd = new Command("upcycle", "CLIP-UP: turn a dense CLIP into a sparse MoE (experts = copies of each dense MLP, fresh routers) and continue training it.")
            { from, config, experts, topK, outDir, device };
        cmd.SetAction(parse =>
        {
            var run = JsonConfig.Load<RunConfig>(parse.GetValue(config)!.FullName);
            var moe = run.Moe ?? new MoeConfig();
            if (parse.GetValue(experts) is { } e) moe = moe with { NumExperts = e };
            if (parse.GetValue(topK) is { } k) moe = moe with { TopK = k };
            run = run with { Init = parse.GetValue(from), Moe = moe, Out = parse.GetValue(outDir) ?? run.Out, Device = parse.GetValue(device) ?? run.Device };
            var result = ProgressView.Run($"upcycle {Path.GetFileName(run.Init)}", run.Train.Steps, progress =>
                TrainRun.Execute(run, new TrainRunOptions { Progress = progress, Resume = true, Log = CliErrors.Log }));
            var counts = MoeParameters.Of(result.Model);
            AnsiConsole.MarkupLine($"MoE: {counts.Total / 1e6:F1}M parameters, {counts.Active / 1e6:F1}M active per token");
            AnsiConsole.Write(ResultTables.Of([("clip-up", result.Eval)]));
            AnsiConsole.MarkupLine($"checkpoints and results: {Markup.Escape(result.OutDir)}");
            return 0;
        });
        return cmd;
    }
}
