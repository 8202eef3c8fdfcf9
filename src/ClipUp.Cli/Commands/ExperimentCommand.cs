using System.CommandLine;
using ClipUp.Experiments;
using ClipUp.Plots;
using Spectre.Console;
using ClipUp.Training;

namespace ClipUp.Cli.Commands;

public static class ExperimentCommand
{
    public static Command Create()
    {
        var list = new Command("list", "List the named experiments and profiles.");
        list.SetAction(_ =>
        {
            var table = new Table().AddColumns("experiment", "question", "variants", "paper");
            foreach (var e in ExperimentCatalog.All)
                table.AddRow(Markup.Escape(e.Name), Markup.Escape(e.Question), Markup.Escape(string.Join(", ", e.Variants.Select(v => v.Name))), Markup.Escape(e.Paper));
            foreach (var e in ModeExperimentCatalog.All)
                table.AddRow(Markup.Escape(e.Name), Markup.Escape(e.Question), Markup.Escape(string.Join(", ", e.Variants.Select(v => v.Name))), Markup.Escape(e.Paper));
            AnsiConsole.Write(table);
            foreach (var (name, p) in ExperimentCatalog.Profiles)
                AnsiConsole.MarkupLine(Markup.Escape($"profile {name}: {p.Preset} on {p.Data}, {p.DenseSteps} dense + {p.ContinueSteps} continued steps at batch {p.BatchSize}, {p.Seeds} seed(s), device {p.Device}"));
            foreach (var (name, p) in ModeExperimentCatalog.Profiles)
                AnsiConsole.MarkupLine(Markup.Escape($"MoDE profile {name}: {p.Description}"));
            return 0;
        });

        var name = new Argument<string>("name") { Description = "Experiment name (clipup experiment list)." };
        var profile = new Option<string>("--profile") { Description = "smoke (CPU, minutes, synthetic), cpu (real data on 2 cores, ~20 min a seed) or full (one GPU).", DefaultValueFactory = _ => "smoke" };
        var results = new Option<string>("--results") { Description = "Results root.", DefaultValueFactory = _ => "results" };
        var seeds = new Option<int?>("--seeds") { Description = "Number of seeds (default: the profile's)." };
        var device = new Option<string?>("--device") { Description = "Override the profile's device." };
        var only = new Option<string[]>("--only") { Description = "Run only these variants (separated by spaces or commas).", AllowMultipleArgumentsPerToken = true };
        var runs = new Option<string>("--runs") { Description = "Where each arm's checkpoints go: <runs>/<experiment>/<profile>/seed<k>/<variant>/checkpoints.", DefaultValueFactory = _ => "runs" };
        var denseSteps = new Option<int?>("--dense-steps") { Description = "Override the profile's dense steps (MoDE: the budget of one dense run, train.steps); a quick look, results then differ from the profile's." };
        var continueSteps = new Option<int?>("--continue-steps") { Description = "Override the profile's continuation steps." };
        var run = new Command("run", "Run an experiment (resumable: finished variants are skipped; rerun the same command after an interruption).")
            { name, profile, results, seeds, device, only, runs, denseSteps, continueSteps };
        run.SetAction(parse =>
        {
            if (ModeExperimentCatalog.Contains(parse.GetValue(name)!)) return RunMode(parse.GetValue(name)!, parse.GetValue(profile)!,
                parse.GetValue(results)!, parse.GetValue(seeds), parse.GetValue(device), OnlyNames(parse.GetValue(only)), parse.GetValue(runs)!, parse.GetValue(denseSteps));
            var exp = ExperimentCatalog.Get(parse.GetValue(name)!);
            var profileName = parse.GetValue(profile)!;
            var spec = ExperimentCatalog.Profile(profileName);
            if (parse.GetValue(device) is { } d) spec = spec with { Device = d };
            if (parse.GetValue(denseSteps) is { } ds) spec = spec with { DenseSteps = ds >= 1 ? ds : throw new UserErrorException($"--dense-steps {ds} must be >= 1") };
            if (parse.GetValue(continueSteps) is { } cs) spec = spec with { ContinueSteps = cs >= 1 ? cs : throw new UserErrorException($"--continue-steps {cs} must be >= 1") };
            var onlyNames = OnlyNames(parse.GetValue(only));
            var eta = new ExperimentEta(ExperimentRunner.Plan(exp, profileName, spec, parse.GetValue(results)!, parse.GetValue(seeds), onlyNames, parse.GetValue(runs)));
            AnsiConsole.MarkupLine(Markup.Escape($"{exp.Name} ({profileName}, {parse.GetValue(seeds) ?? spec.Seeds} seed(s)): {eta.Summary} to go"));
            var command = $"clipup experiment run {exp.Name} --profile {profileName}" + (parse.GetValue(seeds) is { } n ? $" --seeds {n}" : "")
                + (parse.GetValue(denseSteps) is { } ds2 ? $" --dense-steps {ds2}" : "") + (parse.GetValue(continueSteps) is { } cs2 ? $" --continue-steps {cs2}" : "")
                + (onlyNames is null ? "" : " --only " + string.Join(' ', onlyNames));
            var files = ExperimentRunner.Run(exp, profileName, spec, parse.GetValue(results)!,
                new SyncProgress<(string Run, TrainProgress Progress)>(p => Console.WriteLine(eta.Describe(p.Run, p.Progress))),
                CliErrors.Log, parse.GetValue(seeds), onlyNames, command, parse.GetValue(runs));
            var dir = exp.ResultsDir(parse.GetValue(results)!, profileName);
            AnsiConsole.MarkupLine($"{files.Count} result file(s) written under {Markup.Escape(dir)}");
            // The train × eval grid reads the checkpoints, which are not committed: it is written beside the results.
            if (exp.Name == "capacity-factor" && (files.Count > 0 || CapacityGrid.Load(dir).Count == 0))
                CapacityGrid.Save(CapacityGrid.Evaluate(dir, CapacityGrid.EvalFactors, seed: null, CliErrors.Log), dir);
            Console.WriteLine(Report(exp, profileName, parse.GetValue(results)!));
            return 0;
        });

        var reportName = new Argument<string>("name") { Description = "Experiment name." };
        var against = new Option<string?>("--against") { Description = "Committed results root to compare a rerun with (e.g. results): is each claim's rerun difference inside the committed interval?" };
        var report = new Command("report", "Markdown and HTML tables (mean ± std over seeds, claims with 95% intervals) of an experiment's results.") { reportName, profile, results, against };
        report.SetAction(parse =>
        {
            var reported = parse.GetValue(reportName)!;
            if (ModeExperimentCatalog.Contains(reported))
            {
                var mode = ModeExperimentCatalog.Get(reported);
                Console.WriteLine(Report(mode.Name, mode.Question, mode.ResultsDir(parse.GetValue(results)!, parse.GetValue(profile)!), parse.GetValue(profile)!));
                return 0;
            }
            var exp = ExperimentCatalog.Get(reported);
            Console.WriteLine(Report(exp, parse.GetValue(profile)!, parse.GetValue(results)!));
            if (parse.GetValue(against) is { } committedRoot)
            {
                var claims = ClaimCatalog.For(exp.Name).ToList();
                var committedDir = exp.ResultsDir(committedRoot, parse.GetValue(profile)!);
                if (ExperimentReport.Load(committedDir).Count == 0) throw new UserErrorException($"--against {committedRoot}: no results under {committedDir}");
                Console.WriteLine($"#### Rerun ({parse.GetValue(results)}) against {committedDir}");
                Console.WriteLine();
                Console.WriteLine(ClaimReport.CompareMarkdown(ClaimReport.Evaluate(exp.ResultsDir(parse.GetValue(results)!, parse.GetValue(profile)!), claims),
                    ClaimReport.Evaluate(committedDir, claims)));
            }
            return 0;
        });
        return new Command("experiment", "Named experiments of the paper reproductions: list, run, report.") { list, run, report };
    }

    private static int RunMode(string experiment, string profileName, string results, int? seeds, string? device, string[]? only, string runs, int? steps)
    {
        var exp = ModeExperimentCatalog.Get(experiment);
        if (steps is < 1) throw new UserErrorException($"--dense-steps {steps} must be >= 1");
        Func<ModeConfig, ModeConfig>? adjust = device is null && steps is null ? null
            : c => c with { Device = device ?? c.Device, Train = steps is { } s ? c.Train with { Steps = s, WarmupSteps = Math.Max(1, s / 12), LogEvery = Math.Max(1, s / 50) } : c.Train };
        var profile = ModeExperimentCatalog.Profile(profileName);
        var eta = new ExperimentEta(ModeExperimentRunner.Plan(exp, profileName, profile, results, seeds, only, adjust, runs));
        AnsiConsole.MarkupLine(Markup.Escape($"{exp.Name} ({profileName}, {seeds ?? profile.Seeds} seed(s)): {eta.Summary} to go"));
        var command = $"clipup experiment run {exp.Name} --profile {profileName}" + (seeds is { } n ? $" --seeds {n}" : "")
            + (steps is { } st ? $" --dense-steps {st}" : "") + (only is null ? "" : " --only " + string.Join(',', only));
        var options = new ModeRunOptions
        {
            Log = CliErrors.Log,
            Progress = new SyncProgress<(string Run, TrainProgress Progress)>(p => Console.WriteLine(eta.Describe(p.Run, p.Progress))),
        };
        var files = ModeExperimentRunner.Run(exp, profileName, profile, results, options, seeds, only, adjust, command, runs);
        AnsiConsole.MarkupLine($"{files.Count} result file(s) written under {Markup.Escape(exp.ResultsDir(results, profileName))}");
        Console.WriteLine(Report(exp.Name, exp.Question, exp.ResultsDir(results, profileName), profileName));
        return 0;
    }

    /// <summary>--only a b c or --only a,b,c.</summary>
    private static string[]? OnlyNames(string[]? values) =>
        values?.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray() is { Length: > 0 } names ? names : null;

    private static string Report(ExperimentSpec exp, string profile, string root) => Report(exp.Name, exp.Question, exp.ResultsDir(root, profile), profile);

    private static string Report(string name, string question, string dir, string profile)
    {
        var rows = ExperimentReport.Summarise(ExperimentReport.Load(dir));
        if (rows.Count == 0) throw new UserErrorException($"no results under {dir}: run `clipup experiment run {name} --profile {profile}` first");
        var title = $"{name} ({profile}): {question}";
        var md = ExperimentReport.Markdown(title, rows);
        var claims = ClaimReport.Evaluate(dir, ClaimCatalog.For(name));
        if (claims.Any(c => c.Interval is not null)) md += Environment.NewLine + "#### Claims" + Environment.NewLine + Environment.NewLine + ClaimReport.Markdown(profile, claims);
        if (CapacityGrid.Load(dir) is { Count: > 0 } grid) md += Environment.NewLine + "#### Capacity factor, train × eval" + Environment.NewLine + Environment.NewLine + CapacityGrid.Markdown(grid);
        File.WriteAllText(Path.Combine(dir, "report.md"), md);
        var parts = new List<string> { ExperimentReport.Html(title, rows) };
        if (claims.Any(c => c.Interval is not null))
            parts.AddRange(claims.Where(c => c.Interval is not null).Select(c => c.Metric).Distinct()
                .Select(m => PlotlyHtml.ChartFragment(ClaimReport.Chart(claims, m, profile))));
        File.WriteAllText(Path.Combine(dir, "report.html"), PlotlyHtml.Page(title, parts));
        return md;
    }
}
