using System.CommandLine;
using ClipUp.Experiments;
using ClipUp.Io;
using ClipUp.Training;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

/// <summary>
/// <c>clipup mode embed|cluster|assign|train-seed|train-expert|train-dense|train-all|eval --config mode.json</c>: the
/// stages of <see cref="ModePipeline"/>, each resumable from the files the previous ones wrote.
/// </summary>
public static class ModeCommand
{
    public static Command Create()
    {
        var cmd = new Command("mode", "MoDE data experts: cluster captions, train a seed and one expert per cluster, evaluate the routed ensemble.");
        cmd.Subcommands.Add(Stage("embed", "Write the mixture table and cache its caption embeddings.", (run, _) =>
        {
            var e = ModePipeline.Embed(run);
            AnsiConsole.MarkupLine($"{e.Rows} captions × {e.Dimension} ({Markup.Escape(e.Embedder)}) → {Markup.Escape(e.Path)}");
        }));
        cmd.Subcommands.Add(Stage("cluster", "Two-step clustering: m fine clusters, then n experts.", (run, _) =>
        {
            var c = ModePipeline.Cluster(run);
            AnsiConsole.MarkupLine($"{c.FineClusters} fine clusters → {c.Experts} experts: {Markup.Escape(run.Paths.Clustering)}");
        }));
        cmd.Subcommands.Add(Stage("assign", "Assign every row to an expert; write the shards and the cluster report.", (run, _) =>
        {
            var r = ModePipeline.Assign(run);
            var table = new Table().AddColumns("expert", "rows", "share", "domains", "top words");
            foreach (var e in r.ExpertSummaries)
                table.AddRow(e.Expert.ToString(), e.Rows.ToString(), $"{e.Fraction:P1}",
                    Markup.Escape(string.Join(", ", e.Domains.Select(d => $"{d.Key} {d.Value}"))), Markup.Escape(string.Join(", ", e.TopWords.Take(6))));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"domain ARI {r.DomainAdjustedRandIndex:F3}, expert purity {r.ExpertPurity:F3}; report: {Markup.Escape(run.Paths.ClustersMarkdown)}");
        }));
        cmd.Subcommands.Add(Stage("train-seed", "Train the dense seed on all rows for seed_fraction of the steps.", (run, resume) =>
            Print(Train(run, "seed", o => ModePipeline.TrainSeed(run, o), resume))));
        var expert = new Option<int>("--expert") { Description = "Which expert, 0..n-1 (an array job's task index).", Required = true };
        cmd.Subcommands.Add(Stage("train-expert", "Continue the seed on one expert's shard (resumable).", (run, resume, parse) =>
            Print(Train(run, $"expert {parse.GetValue(expert)}", o => ModePipeline.TrainExpert(run, parse.GetValue(expert), o), resume)), expert));
        cmd.Subcommands.Add(Stage("train-dense", "Continue the seed on all rows to the full budget (the dense baseline).", (run, resume) =>
            Print(Train(run, "dense", o => ModePipeline.TrainDense(run, o), resume))));
        cmd.Subcommands.Add(Stage("train-all", "Seed, shards when missing, every expert in turn, then the dense baseline.", (run, resume) =>
        {
            foreach (var s in ModeCommandProgress.Run(p => ModePipeline.TrainAll(run, Options(p, resume)))) Print(s);
        }));
        cmd.Subcommands.Add(Stage("eval", "Routed / uniform / single-best / oracle ensembles vs seed and dense; writes eval.json.", (run, _) =>
        {
            var r = ModeEvaluation.Run(run, CliErrors.Log);
            ModeCommandProgress.Print(r);
            AnsiConsole.MarkupLine($"results: {Markup.Escape(run.Paths.EvalJson)}");
        }));
        var print = new Command("print-config", "Print a config for the Flickr8k + fashion mixture of the shared data.");
        var data = new Option<string>("--data") { Description = "The shared data folder.", DefaultValueFactory = _ => "../shared/data" };
        print.Options.Add(data);
        print.SetAction(parse => Console.WriteLine(JsonConfig.Serialize(ModeConfig.SharedMixture(parse.GetValue(data)!))));
        cmd.Subcommands.Add(print);
        return cmd;
    }

    private static Command Stage(string name, string description, Action<ModeConfig, bool> action) =>
        Stage(name, description, (run, resume, _) => action(run, resume));

    /// <summary>A stage command with the common options --config, --device, --out and --resume.</summary>
    private static Command Stage(string name, string description, Action<ModeConfig, bool, ParseResult> action, params Option[] extra)
    {
        var config = new Option<FileInfo>("--config") { Description = "MoDE config JSON (`clipup mode print-config` shows one).", Required = true };
        var device = new Option<string?>("--device") { Description = "auto, cpu, cuda or cuda:<i> (overrides the config)." };
        var outDir = new Option<string?>("--out") { Description = "Output folder (overrides the config's out)." };
        var resume = new Option<string>("--resume") { Description = "auto: continue training runs from their newest checkpoint; none: restart them.", DefaultValueFactory = _ => "auto" };
        var cmd = new Command(name, description) { config, device, outDir, resume };
        foreach (var o in extra) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            var run = JsonConfig.Load<ModeConfig>(parse.GetValue(config)!.FullName);
            if (parse.GetValue(device) is { } d) run = run with { Device = d };
            if (parse.GetValue(outDir) is { } o) run = run with { Out = o };
            var mode = parse.GetValue(resume);
            if (mode is not ("auto" or "none")) throw new UserErrorException($"--resume {mode}: use auto or none");
            action(run, mode == "auto", parse);
            return 0;
        });
        return cmd;
    }

    private static ModeRunSummary Train(ModeConfig run, string title, Func<ModeRunOptions, ModeRunSummary> stage, bool resume) =>
        ProgressView.Run(title, run.Train.Steps, p => stage(Options(new SyncProgress<(string Run, TrainProgress Progress)>(v => p.Report(v.Progress)), resume)));

    private static ModeRunOptions Options(IProgress<(string Run, TrainProgress Progress)> progress, bool resume) => new()
    {
        Progress = progress, Resume = resume, Log = CliErrors.Log,
    };

    private static void Print(ModeRunSummary s) =>
        AnsiConsole.MarkupLine($"{Markup.Escape(s.Name)}: steps {s.StartStep}→{s.Steps} on {s.Rows} rows, loss {s.FinalLoss:F3}, {s.Seconds:F0} s → {Markup.Escape(s.OutDir)}");
}
