using System.CommandLine;
using ClipUp.Experiments;
using ClipUp.Io;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

public static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "Run config JSON (see --print-config for every key)." };
        var device = new Option<string?>("--device") { Description = "auto, cpu, cuda or cuda:<i> (overrides the config)." };
        var outDir = new Option<string?>("--out") { Description = "Output folder (overrides the config's out)." };
        var resume = new Option<string>("--resume") { Description = "auto: continue from the newest valid checkpoint in <out>/checkpoints; none: start fresh.", DefaultValueFactory = _ => "auto" };
        var print = new Option<bool>("--print-config") { Description = "Print the default config with every key, then exit." };
        var cmd = new Command("train", "Train a dense CLIP from a run config (resumable).") { config, device, outDir, resume, print };
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(print))
            {
                Console.Write(RunConfigDocs.Print());
                return 0;
            }
            var file = parse.GetValue(config) ?? throw new UserErrorException("--config is required (clipup train --print-config shows the format)");
            var run = JsonConfig.Load<RunConfig>(file.FullName);
            if (parse.GetValue(device) is { } d) run = run with { Device = d };
            if (parse.GetValue(outDir) is { } o) run = run with { Out = o };
            var mode = parse.GetValue(resume);
            if (mode is not ("auto" or "none")) throw new UserErrorException($"--resume {mode}: use auto or none");
            var result = ProgressView.Run($"train {run.Model}", run.Train.Steps, progress =>
                TrainRun.Execute(run, new TrainRunOptions
                {
                    Progress = progress, Resume = mode == "auto",
                    Log = CliErrors.Log,
                }));
            AnsiConsole.Write(ResultTables.Of([(run.Model, result.Eval)]));
            AnsiConsole.MarkupLine($"results: {Markup.Escape(Path.Combine(result.OutDir, "results.json"))}");
            if (result.SkippedFiles.Count > 0)
                CliErrors.Warn($"{result.SkippedFiles.Count} unreadable image(s) skipped: listed above and in results.json (skipped_files)");
            return 0;
        });
        return cmd;
    }
}
